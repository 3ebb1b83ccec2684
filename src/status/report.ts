// Per account and source: last run, result, counters, next scheduled run, throttling and
// the queue's pending/active runs. One shape for `mpsync status --json` and /admin/runs.
import type { TargetQueueStatus } from "../job-queue.ts";
import { iso } from "../format/iso.ts";
import type { ReadStore } from "../store/read-store.ts";
import { runOut, type RunOut } from "./runs.ts";

export interface TargetStatus extends TargetQueueStatus {
  lastRun: RunOut | null;
  lastSucceededRun: RunOut | null;
  throttledUntil: string | null;
  /** deletions the circuit breaker holds for this source (mpsync deletions) */
  deletionsHeld: number;
}

export async function statusReport(reads: ReadStore, queue: TargetQueueStatus[], now = new Date()): Promise<TargetStatus[]> {
  const appIds = [...new Set(queue.map((q) => q.appId))];
  const [runs, accounts, held] = await Promise.all([reads.lastRuns(appIds), reads.accountStates(appIds), reads.heldDeletions({ appIds })]);
  const heldOf = new Map(held.map((h) => [`${h.appId}|${h.source}`, h.held]));
  return queue.map((q) => {
    const r = runs.get(`${q.appId}|${q.source}`);
    const until = accounts.get(q.appId)?.throttledUntil ?? null;
    return {
      ...q,
      lastRun: r?.last ? runOut(r.last) : null,
      lastSucceededRun: r?.lastSucceeded ? runOut(r.lastSucceeded) : null,
      throttledUntil: until && until > now ? iso(until) : null,
      deletionsHeld: heldOf.get(`${q.appId}|${q.source}`) ?? 0,
    };
  });
}

/** The JSON shape of a target (snake_case like every other API field). */
export function targetOut(t: TargetStatus) {
  return {
    account: t.appId,
    source: t.source,
    active_job_id: t.activeJobId,
    pending_job_id: t.pendingJobId,
    next_incremental_at: t.nextIncremental,
    next_full_at: t.nextFull,
    throttled_until: t.throttledUntil,
    deletions_held: t.deletionsHeld,
    last_run: t.lastRun,
    last_succeeded_run: t.lastSucceededRun,
  };
}
