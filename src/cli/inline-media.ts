// The media pass of `mpsync sync --inline` and `mpsync media sync`: mirrors in this
// process, prints one summary line. A pass that cannot run is reported and leaves the
// content sync's outcome alone.
import type { Runtime } from "../runtime.ts";
import { formatMediaPass, type MediaPassResult } from "../media/mirror.ts";
import { createMediaService } from "../media/service.ts";
import { oneLine } from "./errors.ts";

export async function runMediaPass(runtime: Runtime, appIds: string[] | undefined, print: (line: string) => void, signal?: AbortSignal): Promise<MediaPassResult> {
  const service = createMediaService({ config: runtime.config, prisma: runtime.prisma, logger: runtime.logger });
  try {
    const r = await service.mirror.pass({ appIds, signal });
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
