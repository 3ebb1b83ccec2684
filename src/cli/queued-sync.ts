// The queued path of `mpsync sync` and `mpsync resync`: ask the workers for runs through
// the deduplicated queue and, with --wait, follow them to the end.
import { loadConfig } from "../config/config.ts";
import type { Enqueued, JobQueue, Jobs, SyncJobProgress } from "../job-queue.ts";
import { checkRedis, createRedis } from "../redis/connection.ts";
import { SyncTargetFailedError } from "../sync/errors.ts";
import { syncTargets } from "../sync/run-many.ts";
import type { RunResult, Source } from "../sync/types.ts";
import { formatResult } from "./format.ts";

export interface QueuedSyncFlags {
  account?: string;
  source?: Source;
  full?: boolean;
  wait?: boolean;
  json?: boolean;
}

export interface Output {
  out(line: string): void;
  /** rewrites the current terminal line (TTY only) */
  status?(line: string): void;
}

const POLL_MS = 300;

interface Followed extends Enqueued {
  state: "completed" | "failed" | "pending";
  result?: RunResult;
  error?: string;
}

function progressLine(p: SyncJobProgress): string {
  const total = p.totalCount !== null ? ` of ${p.totalCount}` : "";
  return `${p.appId} ${p.source} ${p.mode}: page ${p.pages}, ${p.itemsSeen}${total} items, ${p.inserted} inserted, ${p.updated} updated`;
}

const isProgress = (p: unknown): p is SyncJobProgress => typeof p === "object" && p !== null && "pages" in p && "appId" in p;

/** Polls the jobs until each completed or failed for good; prints progress as it changes. */
async function follow(queue: JobQueue, jobs: Enqueued[], output: Output, quiet: boolean): Promise<Followed[]> {
  const followed: Followed[] = jobs.map((j) => ({ ...j, state: "pending" }));
  const lastShown = new Map<string, string>();
  const show = (key: string, line: string): void => {
    if (quiet || lastShown.get(key) === line) return;
    lastShown.set(key, line);
    if (output.status) output.status(line);
    else output.out(line);
  };
  while (followed.some((f) => f.state === "pending")) {
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
        f.result = job.result as RunResult;
      } else if (state === "failed") {
        f.state = "failed";
        f.error = job.failedReason || "failed";
      } else if (state === "active" && isProgress(job.progress)) {
        show(key, progressLine(job.progress));
      } else if (state === "delayed") {
        const why = job.failedReason ? `attempt ${job.attemptsMade} failed (${job.failedReason}); ` : "";
        show(key, `${f.appId} ${f.source}: ${why}delayed (another run is active, the account is throttled, or a retry is due)`);
      } else if (state === "waiting" || state === "prioritized") {
        show(key, `${f.appId} ${f.source}: waiting for a worker`);
      }
    }
    if (followed.some((f) => f.state === "pending")) await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return followed;
}

export async function runQueuedSync(jobs: Jobs, flags: QueuedSyncFlags, output: Output): Promise<void> {
  const config = loadConfig(process.env, { requireAccounts: true });
  const targets = syncTargets(config.accounts, flags.account, flags.source);
  await checkRedis(config.redisUrl);
  const connection = createRedis(config.redisUrl);
  const queue = jobs.openQueue(connection, config.redisPrefix);
  try {
    const mode = flags.full ? "full" : "incremental";
    const queued: Enqueued[] = [];
    for (const t of targets) queued.push(await queue.enqueue({ ...t, mode, trigger: "manual" }));
    if (!flags.wait) {
      if (flags.json) output.out(JSON.stringify(queued.map((j) => ({ account: j.appId, source: j.source, job_id: j.jobId, outcome: j.outcome }))));
      else for (const j of queued) output.out(`${j.appId} ${j.source} ${mode}: ${j.outcome} as job ${j.jobId}`);
      return;
    }
    const done = await follow(queue, queued, output, flags.json === true);
    if (flags.json) {
      output.out(JSON.stringify(done.map((d) => ({ account: d.appId, source: d.source, job_id: d.jobId, outcome: d.outcome, state: d.state, result: d.result ?? null, error: d.error ?? null }))));
    } else {
      output.status?.("");
      for (const d of done) if (d.result) output.out(formatResult(d.result, d.appId));
    }
    const failed = done.filter((d) => d.state === "failed");
    const first = failed[0];
    if (first) throw new SyncTargetFailedError(first.appId, first.source, new Error(first.error), failed.length - 1);
  } finally {
    await queue.close().catch(() => {});
    connection.disconnect();
  }
}

/** Console output: live status line on a TTY, plain lines otherwise. */
export function consoleOutput(): Output {
  const tty = process.stdout.isTTY === true;
  return {
    out: (line) => console.log(line),
    ...(tty ? { status: (line: string) => process.stdout.write(`\r\x1b[K${line}`) } : {}),
  };
}
