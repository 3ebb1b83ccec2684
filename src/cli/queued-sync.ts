// The queued path of `mpsync sync` and `mpsync resync`: ask the workers for runs through
// the deduplicated queue and, with --wait, follow them to the end.
import { TemporaryFailureError } from "./errors.ts";
import type { Enqueued, JobQueue, Jobs, SyncJobProgress, SyncJobResult } from "../job-queue.ts";
import { databaseLabel, redactUrl } from "../config/database.ts";
import { createRedis, REDIS_COMMAND_TIMEOUT_MS, RedisUnavailableError } from "../redis/connection.ts";
import { SyncTargetFailedError } from "../sync/errors.ts";
import { syncTargets } from "../sync/run-many.ts";
import type { Source } from "../sync/types.ts";
import { formatResult } from "./format.ts";
import { printJson, runResultOut } from "./output.ts";
import { preflight } from "./preflight.ts";
import { syncProgress, type SyncProgressView } from "./progress.ts";

export interface QueuedSyncFlags {
  account?: string;
  source?: Source;
  full?: boolean;
  wait?: boolean;
  json?: boolean;
}

export interface Output {
  out(line: string): void;
  /** one JSON document */
  json(value: unknown): void;
  /** rewrites the current terminal line (TTY only) */
  status?(line: string): void;
  /** live progress bars (a terminal on stderr only) */
  progress?: SyncProgressView;
}

const POLL_MS = 300;
/** How long --wait rides out Redis being unreachable before it gives up with one line. */
export const WAIT_REDIS_OUTAGE_MS = 30_000;

interface Followed extends Enqueued {
  state: "completed" | "failed" | "pending";
  result?: SyncJobResult;
  error?: string;
}

function progressLine(p: SyncJobProgress): string {
  const total = p.totalCount !== null ? ` of ${p.totalCount}` : "";
  return `${p.appId} ${p.source} ${p.mode}: page ${p.pages}, ${p.itemsSeen}${total} items, ${p.inserted} inserted, ${p.updated} updated`;
}

const isProgress = (p: unknown): p is SyncJobProgress => typeof p === "object" && p !== null && "pages" in p && "appId" in p;

/** Polls the jobs until each completed or failed for good; prints progress as it changes. */
async function follow(queue: JobQueue, jobs: Enqueued[], output: Output, quiet: boolean, redisUrl: string): Promise<Followed[]> {
  const followed: Followed[] = jobs.map((j) => ({ ...j, state: "pending" }));
  const lastShown = new Map<string, string>();
  const show = (key: string, line: string): void => {
    if (quiet || lastShown.get(key) === line) return;
    lastShown.set(key, line);
    if (output.status) output.status(line);
    else output.out(line);
  };
  let unreachableSince: number | null = null;
  while (followed.some((f) => f.state === "pending")) {
    try {
      await poll();
      unreachableSince = null;
    } catch (e) {
      // each command is bounded (REDIS_COMMAND_TIMEOUT_MS); an outage is ridden out for a bounded time
      unreachableSince ??= Date.now();
      if (Date.now() - unreachableSince >= WAIT_REDIS_OUTAGE_MS) {
        throw new RedisUnavailableError(`REDIS_URL: lost Redis at ${redactUrl(redisUrl)} for ${WAIT_REDIS_OUTAGE_MS / 1000} s while following the runs (${(e as Error).message}); they go on in the workers`);
      }
    }
    if (followed.some((f) => f.state === "pending")) await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return followed;

  async function poll(): Promise<void> {
    for (const f of followed.filter((x) => x.state === "pending")) {
      const job = await queue.job(f.jobId);
      if (!job) {
        f.state = "failed";
        f.error = `job ${f.jobId} is no longer in the queue`;
        continue;
      }
      const state = job.state;
      const key = `${f.appId}|${f.source}`;
      if (state === "completed") {
        f.state = "completed";
        f.result = job.result as SyncJobResult;
        if (!quiet) output.progress?.finish(f.appId, f.source);
      } else if (state === "failed") {
        f.state = "failed";
        f.error = job.failedReason || "failed";
        if (!quiet) output.progress?.finish(f.appId, f.source, true);
      } else if (state === "active" && isProgress(job.progress)) {
        if (output.progress && !quiet) output.progress.update(job.progress);
        else show(key, progressLine(job.progress));
      } else if (state === "delayed") {
        const why = job.failedReason ? `attempt ${job.attemptsMade} failed (${job.failedReason}); ` : "";
        show(key, `${f.appId} ${f.source}: ${why}delayed (another run is active, the account is throttled, or a retry is due)`);
      } else if (state === "waiting" || state === "prioritized") {
        show(key, `${f.appId} ${f.source}: waiting for a worker`);
      }
    }
  }
}

/** Said when a worker wrote to another database than the caller's DATABASE_URL (they differ in configuration). */
function elsewhere(result: SyncJobResult | undefined, ours: string): string | null {
  return result?.database && result.database !== ours ? `the worker wrote to database ${result.database}, not to ${ours} (your DATABASE_URL)` : null;
}

export async function runQueuedSync(jobs: Jobs, flags: QueuedSyncFlags, output: Output): Promise<void> {
  const config = await preflight({ accounts: true, redis: true });
  const targets = syncTargets(config.accounts, flags.account, flags.source);
  // bounded commands: a Redis outage while following must not hang this command
  const connection = createRedis(config.redisUrl, { commandTimeout: REDIS_COMMAND_TIMEOUT_MS });
  connection.on("error", () => {}); // reported by the command that fails
  const queue = jobs.openQueue(connection, config.redisPrefix);
  queue.bull.on("error", () => {}); // likewise
  try {
    const mode = flags.full ? "full" : "incremental";
    const queued: Enqueued[] = [];
    for (const t of targets) queued.push(await queue.enqueue({ ...t, mode, trigger: "manual" }));
    if (!flags.wait) {
      if (flags.json) output.json(queued.map((j) => ({ account: j.appId, source: j.source, job_id: j.jobId, outcome: j.outcome })));
      else for (const j of queued) output.out(`${j.appId} ${j.source} ${mode}: ${j.outcome} as job ${j.jobId}`);
      return;
    }
    const done = await follow(queue, queued, output, flags.json === true, config.redisUrl).finally(() => output.progress?.stop());
    const ours = databaseLabel(config.databaseUrl);
    if (flags.json) {
      output.json(
        done.map((d) => ({
          account: d.appId,
          source: d.source,
          job_id: d.jobId,
          outcome: d.outcome,
          state: d.state,
          database: d.result?.database ?? null,
          result: d.result ? runResultOut(d.result, d.appId) : null,
          error: d.error ?? null,
        })),
      );
    } else {
      output.status?.("");
      for (const d of done) {
        if (!d.result) continue;
        const other = elsewhere(d.result, ours);
        output.out(formatResult(d.result, d.appId) + (other ? ` [${other}]` : ""));
      }
    }
    const failed = done.filter((d) => d.state === "failed");
    const first = failed[0];
    if (first) throw new SyncTargetFailedError(first.appId, first.source, new Error(first.error), failed.length - 1);
    // a run paused by the daily quota: EX_TEMPFAIL, as for an inline run
    const paused = done.find((d) => d.result?.status === "paused");
    if (paused) throw new TemporaryFailureError(paused.result!.errorMessage ?? `${paused.appId} ${paused.source}: paused by the daily quota`);
  } finally {
    await queue.close().catch(() => {});
    connection.disconnect();
  }
}

/** Console output: progress bars when stderr is a terminal, plain progress lines otherwise. */
export function consoleOutput(): Output {
  const progress = syncProgress();
  return { out: (line) => console.log(line), json: printJson, ...(progress ? { progress } : {}) };
}
