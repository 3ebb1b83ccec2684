// The media pass of `mpsync sync --inline` and `mpsync media sync`: mirrors in this
// process, prints one summary line. A pass that cannot run is reported and leaves the
// content sync's outcome alone.
import type { Runtime } from "../runtime.ts";
import { formatMediaPass, type MediaPassResult } from "../media/mirror.ts";
import { createMediaService } from "../media/service.ts";
import { oneLine } from "./errors.ts";
import { mediaProgress } from "./progress.ts";

export async function runMediaPass(runtime: Runtime, appIds: string[] | undefined, print: (line: string) => void, signal?: AbortSignal): Promise<MediaPassResult> {
  // on a terminal: assets done of the backlog (known once the pass starts downloading) and bytes
  const progress = mediaProgress();
  let asked = false;
  const observer = progress
    ? {
        onDownload: (outcome: string, bytes: number) => {
          progress.download(outcome === "stored" ? bytes : 0); // reused bytes were stored before
          if (asked) return;
          asked = true;
          void service.mirror.status(appIds).then((s) => progress.backlog(s.states.pending.count), () => {});
        },
      }
    : undefined;
  const service = createMediaService({ config: runtime.config, prisma: runtime.prisma, logger: runtime.logger, observer });
  try {
    const r = await service.mirror.pass({ appIds, signal }).finally(() => progress?.stop());
    print(formatMediaPass(r));
    return r;
  } finally {
    await service.close();
  }
}

/** After an inline sync: never throws. */
export async function mirrorAfterSync(runtime: Runtime, appIds: string[], print: (line: string) => void, signal?: AbortSignal): Promise<void> {
  try {
    await runMediaPass(runtime, appIds, print, signal);
  } catch (e) {
    console.error(`mpsync: media pass failed (the content sync is not affected; the next pass retries): ${oneLine(e)}`);
  }
}
