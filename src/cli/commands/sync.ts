// mpsync sync: --inline runs here and now through the sync engine; without it the run
// goes through the job queue (src/cli/queued-sync.ts).
import type { Command } from "commander";
import { loadConfig } from "../../config/config.ts";
import { createRuntime, type Runtime } from "../../runtime.ts";
import { runMany, syncTargets } from "../../sync/run-many.ts";
import { SOURCES, type RunResult, type SyncMode } from "../../sync/types.ts";
import { sourceArg } from "../args.ts";
import type { CliContext } from "../context.ts";
import { formatResult } from "../format.ts";
import { consoleOutput, runQueuedSync, type QueuedSyncFlags } from "../queued-sync.ts";
import { onStopSignal } from "../signals.ts";

/** media: false with --no-media (inline syncs then skip the media pass) */
type SyncFlags = QueuedSyncFlags & { inline?: boolean; media?: boolean };
import { mirrorAfterSync } from "../inline-media.ts";
import { mediaConfigOf } from "../../media/service.ts";

/** The inline path: runs the selected syncs in this process, then mirrors their media; throws one error naming account, source and cause. */
export async function syncInline(runtime: Runtime, flags: SyncFlags, print: (line: string) => void = console.log): Promise<RunResult[]> {
  const mode: SyncMode = flags.full ? "full" : "incremental";
  const controller = new AbortController();
  const stopListening = onStopSignal(() => controller.abort());
  const targets = syncTargets(runtime.config.accounts, flags.account, flags.source);
  try {
    return await runMany(runtime.engine, targets, {
      mode,
      trigger: "manual",
      signal: controller.signal,
      onResult: (t, r) => print(formatResult(r, t.appId)),
    });
  } finally {
    // mirror what was synced before returning, whether or not every target succeeded
    if (flags.media !== false && mediaConfigOf(runtime.config).enabled && !controller.signal.aborted) {
      await mirrorAfterSync(runtime, [...new Set(targets.map((t) => t.appId))], print, controller.signal);
    }
    stopListening();
  }
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command("sync")
    .description("sync published articles and materials into Postgres (incremental unless --full)")
    .option("--account <appId>", "only this configured account")
    .option("--source <source>", `only this source: ${SOURCES.join(" | ")}`, sourceArg)
    .option("--full", "walk every page and mark vanished items deleted")
    .option("--inline", "run in this process instead of through the job queue")
    .option("--wait", "queued: follow the runs to the end; exit non-zero if one failed")
    .option("--json", "queued: print the result as JSON")
    .option("--no-media", "inline: do not mirror images afterwards (the worker mirrors queued runs)")
    .action(async (flags: SyncFlags) => {
      if (!flags.inline) return runQueuedSync(await ctx.jobs(), flags, consoleOutput());
      const runtime = createRuntime(loadConfig(process.env, { requireAccounts: true }));
      try {
        await syncInline(runtime, flags);
      } finally {
        await runtime.close();
      }
    });
}
