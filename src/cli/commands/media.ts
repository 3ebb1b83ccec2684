// mpsync media sync|status: mirror the backlog in the foreground, or show the mirror's
// counts by state. The worker does the same in the background after every sync run.
import type { Command } from "commander";
import { createLogger } from "../../logging/logger.ts";
import { createMediaService } from "../../media/service.ts";
import { createRuntime } from "../../runtime.ts";
import { UnknownAccountError } from "../../sync/errors.ts";
import type { MediaStatusRow } from "../../store/media-store.ts";
import { runMediaPass } from "../inline-media.ts";
import { printJson } from "../output.ts";
import { preflight } from "../preflight.ts";
import { onStopSignal } from "../signals.ts";
import { megabytes } from "../../format/megabytes.ts";


function formatMediaStatus(s: MediaStatusRow, store: string): string {
  const st = s.states;
  return [
    `store ${store}`,
    `stored  ${st.stored.count} (${megabytes(st.stored.bytes)}; ${s.objects.count} distinct objects, ${megabytes(s.objects.bytes)})`,
    `pending ${st.pending.count}`,
    `failed  ${st.failed.count} (${s.retrying} to be retried)`,
    `gone    ${st.gone.count}`,
  ].join("\n");
}

export function register(program: Command): void {
  const media = program.command("media").description("the image mirror: every image of synced content, in MEDIA_STORE_URL");

  media
    .command("sync")
    .description("mirror the backlog now, in this process (record new media, download what is due, update display HTML)")
    .option("--account <appId>", "only media of this configured account")
    .action(async (flags: { account?: string }) => {
      const config = await preflight({ accounts: true, database: true });
      if (flags.account && !config.accounts.some((a) => a.appId === flags.account)) throw new UnknownAccountError(flags.account);
      const runtime = createRuntime(config);
      const controller = new AbortController();
      const stopListening = onStopSignal(() => controller.abort());
      try {
        await runMediaPass(runtime, flags.account ? [flags.account] : undefined, console.log, controller.signal);
      } finally {
        stopListening();
        await runtime.close();
      }
    });

  media
    .command("status")
    .description("media assets by state (pending, stored, failed, gone) and bytes")
    .option("--account <appId>", "only media of this account")
    .option("--json", "print JSON")
    .action(async (flags: { account?: string; json?: boolean }) => {
      const config = await preflight({ database: true });
      const runtime = createRuntime(config, { logger: createLogger(config.logLevel === "info" ? "warn" : config.logLevel, undefined, config.logFormat) });
      const service = createMediaService({ config, prisma: runtime.prisma, logger: runtime.logger });
      try {
        const s = await service.mirror.status(flags.account ? [flags.account] : undefined);
        if (flags.json) {
          printJson({ store: service.objects.describe, ...s.states, retrying: s.retrying, objects: s.objects });
        } else console.log(formatMediaStatus(s, service.objects.describe));
      } finally {
        await service.close();
        await runtime.close();
      }
    });
}
