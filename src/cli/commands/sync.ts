// mpsync sync: --inline runs here and now through the sync engine; without it the run
// goes through the job queue (src/cli/queued-sync.ts).
import type { Command } from "commander";
import { createRuntime, type Runtime } from "../../runtime.ts";
import { runMany, syncTargets } from "../../sync/run-many.ts";
import { AccountThrottledError, QuotaPausedError, SyncTargetFailedError } from "../../sync/errors.ts";
import { apiOf } from "../../planner/quota.ts";
import { TemporaryFailureError } from "../errors.ts";
import { SOURCES, type RunResult, type Source, type SyncMode } from "../../sync/types.ts";
import { sourceArg } from "../args.ts";
import type { CliContext } from "../context.ts";
import { formatResult } from "../format.ts";
import { printJson, runResultOut } from "../output.ts";
import { preflight } from "../preflight.ts";
import { consoleOutput, runQueuedSync, type QueuedSyncFlags } from "../queued-sync.ts";
import { onStopSignal } from "../signals.ts";
import { syncProgress } from "../progress.ts";

import { mirrorAfterSync } from "../inline-media.ts";
import { mediaConfigOf } from "../../media/service.ts";

/** media: false with --no-media (inline syncs then skip the media pass) */
type SyncFlags = QueuedSyncFlags & { inline?: boolean; media?: boolean };

/**
 * The inline path: runs the selected syncs in this process, then mirrors their media;
 * throws one error naming account, source and cause. The first SIGINT/SIGTERM stops each
 * run after its current page (checkpoint saved, run recorded interrupted) and, whatever
 * still hangs, ends the process within WORKER_SHUTDOWN_TIMEOUT_MS. `collect` receives
 * each result with its account (for --json).
 */
export async function syncInline(
  runtime: Runtime,
  flags: SyncFlags,
  print: (line: string) => void = console.log,
  collect?: (appId: string, result: RunResult) => void,
): Promise<RunResult[]> {
  const mode: SyncMode = flags.full ? "full" : "incremental";
  const controller = new AbortController();
  const bound = runtime.config.worker.shutdownTimeoutMs;
  const stopListening = onStopSignal((signal) => {
    runtime.logger.info({ signal, timeoutMs: bound }, "stopping: finishing the current page of each run");
    controller.abort();
    setTimeout(() => {
      runtime.logger.error({ timeoutMs: bound }, "stop exceeded its bound; exiting");
      process.exit(signal === "SIGINT" ? 130 : 143);
    }, bound).unref();
  });
  const targets = syncTargets(runtime.config.accounts, flags.account, flags.source);
  // on a terminal: live bars on stderr, the result lines once they are done
  const progress = syncProgress();
  const results: string[] = [];
  try {
    return await runMany(runtime.engine, targets, {
      mode,
      trigger: "manual",
      recheckQuota: true,
      signal: controller.signal,
      onProgress: progress ? (t, p) => progress.update({ ...p, appId: t.appId, mode }) : undefined,
      onResult: (t, r) => {
        collect?.(t.appId, r);
        if (!progress) return print(formatResult(r, t.appId));
        progress.finish(t.appId, t.source, r.status === "failed");
        results.push(formatResult(r, t.appId));
      },
    });
  } catch (e) {
    throw await quotaLine(runtime, e);
  } finally {
    progress?.stop();
    for (const line of results) print(line);
    // mirror what was synced before returning, whether or not every target succeeded
    if (flags.media !== false && mediaConfigOf(runtime.config).enabled && !controller.signal.aborted) {
      await mirrorAfterSync(runtime, [...new Set(targets.map((t) => t.appId))], print, controller.signal);
    }
    stopListening();
  }
}

/** A run paused or refused by the daily quota: one line naming the API, its use against its limit and the resume time (exit 75). */
async function quotaLine(runtime: Runtime, e: unknown): Promise<unknown> {
  const cause = e instanceof SyncTargetFailedError ? e.cause : e;
  if (cause instanceof QuotaPausedError) {
    return new TemporaryFailureError(`${cause.appId} ${cause.source}: paused by the daily quota of ${cause.api} (used ${cause.used} of ${cause.limit}, reserve ${cause.reserve}); resumes at ${cause.resumeAt.toISOString()}`);
  }
  if (cause instanceof AccountThrottledError && e instanceof SyncTargetFailedError) {
    const v = await runtime.quota.view(cause.appId, apiOf(e.source as Source));
    const use = v.known ? `used ${v.used} of ${v.limit}` : "quota unreadable, 45009 answered";
    return new TemporaryFailureError(`${cause.appId} ${e.source}: throttled by the daily quota of ${v.api} (${use}); resumes at ${cause.until.toISOString()}`);
  }
  return e;
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
    .option("--json", "print the result as one JSON document")
    .option("--no-media", "inline: do not mirror images afterwards (the worker mirrors queued runs)")
    .action(async (flags: SyncFlags) => {
      if (!flags.inline) return runQueuedSync(await ctx.jobs(), flags, consoleOutput());
      // tokens are shared through Redis: check it (and the database) now rather than hang later
      const config = await preflight({ accounts: true, redis: true, database: true });
      const runtime = createRuntime(config);
      try {
        // with --json, stdout is the one JSON document: the lines for people go to stderr
        const done: ReturnType<typeof runResultOut>[] = [];
        const print = flags.json ? (line: string) => console.error(line) : undefined;
        await syncInline(runtime, flags, print, (appId, r) => done.push(runResultOut(r, appId)));
        if (flags.json) printJson(done);
      } finally {
        await runtime.close();
      }
    });
}
