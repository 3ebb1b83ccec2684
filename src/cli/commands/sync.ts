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

type SyncFlags = QueuedSyncFlags & { inline?: boolean };

/** The inline path: runs the selected syncs in this process; throws one error naming account, source and cause. */
async function syncInline(runtime: Runtime, flags: SyncFlags): Promise<RunResult[]> {
  const mode: SyncMode = flags.full ? "full" : "incremental";
  const controller = new AbortController();
  const stopListening = onStopSignal(() => controller.abort());
  try {
    return await runMany(runtime.engine, syncTargets(runtime.config.accounts, flags.account, flags.source), {
      mode,
      trigger: "manual",
      signal: controller.signal,
      onResult: (t, r) => console.log(formatResult(r, t.appId)),
    });
  } finally {
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
