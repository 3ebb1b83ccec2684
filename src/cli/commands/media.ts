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
import { formatObjects, formatUrls, urlCount } from "../../media/counts.ts";


function formatMediaStatus(s: MediaStatusRow, store: string, scope: string): string {
  return [`store      ${store}`, `scope      ${scope}`, `URLs       ${formatUrls(s, { retrying: true })}`, `objects    ${formatObjects(s)}`, `references ${s.references}`].join("\n");
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
    .description("the mirror's counts: URLs by state (stored, pending, failed, gone), stored objects and bytes, references")
    .option("--account <appId>", "only media of this account")
    .option("--json", "print JSON")
    .action(async (flags: { account?: string; json?: boolean }) => {
      const config = await preflight({ database: true });
      const runtime = createRuntime(config, { logger: createLogger(config.logLevel === "info" ? "warn" : config.logLevel, undefined, config.logFormat) });
      const service = createMediaService({ config, prisma: runtime.prisma, logger: runtime.logger });
      try {
        const s = await service.mirror.status(flags.account ? [flags.account] : undefined);
        if (flags.json) {
          // the states are counts of URLs; "urls" is their total
          printJson({ store: service.objects.describe, scope: flags.account ?? null, urls: urlCount(s), ...s.states, retrying: s.retrying, objects: s.objects, references: s.references });
        } else console.log(formatMediaStatus(s, service.objects.describe, flags.account ? `account ${flags.account}` : "all accounts"));
      } finally {
        await service.close();
        await runtime.close();
      }
    });
}
