// mpsync sync: --inline runs here and now through the sync engine; without it the run
// goes through the job queue (src/cli/queued-sync.ts).
import { type Command, InvalidArgumentError } from "commander";
import { loadConfig } from "../../config/config.ts";
import { createRuntime, type Runtime } from "../../runtime.ts";
import { runMany, syncTargets } from "../../sync/run-many.ts";
import { SOURCES, type RunResult, type Source, type SyncMode } from "../../sync/types.ts";
import { consoleOutput, runQueuedSync } from "../queued-sync.ts";

export interface SyncFlags {
  account?: string;
  source?: Source;
  full?: boolean;
  inline?: boolean;
  wait?: boolean;
  json?: boolean;
}

export function sourceArg(raw: string): Source {
  if (!(SOURCES as readonly string[]).includes(raw)) throw new InvalidArgumentError(`expected one of ${SOURCES.join(", ")}`);
  return raw as Source;
}

export function formatResult(r: RunResult, appId: string): string {
  const note = r.consistencyNote ? ` (${r.consistencyNote})` : "";
  return `${appId} ${r.source} ${r.mode}: ${r.pages} pages, ${r.apiCalls} API calls, ${r.inserted} inserted, ${r.updated} updated, ${r.unchanged} unchanged, ${r.markedDeleted} deleted in ${r.durationMs} ms${note}`;
}

/** The inline path: runs the selected syncs in this process; throws one error naming account, source and cause. */
export async function syncInline(runtime: Runtime, flags: SyncFlags, print: (line: string) => void = console.log): Promise<RunResult[]> {
  const mode: SyncMode = flags.full ? "full" : "incremental";
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    return await runMany(runtime.engine, syncTargets(runtime.config.accounts, flags.account, flags.source), {
      mode,
      trigger: "manual",
      signal: controller.signal,
      onResult: (t, r) => print(formatResult(r, t.appId)),
    });
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

export function register(program: Command): void {
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
      if (!flags.inline) return runQueuedSync(flags, consoleOutput());
      const runtime = createRuntime(loadConfig(process.env, { requireAccounts: true }));
      try {
        await syncInline(runtime, flags);
      } finally {
        await runtime.close();
      }
    });
}
