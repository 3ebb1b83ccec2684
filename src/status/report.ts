// Per account and source: last run, result, counters, next scheduled run, throttling and
// the queue's pending/active runs. One shape for `mpsync status --json` and /admin/runs.
import type { TargetQueueStatus } from "../../jobs/queue-status.ts";
import type { PrismaClient } from "../store/prisma.ts";
import { accountStates, lastRuns, type AccountState, type RunOut } from "./runs.ts";

export interface TargetStatus extends TargetQueueStatus {
  lastRun: RunOut | null;
  lastSucceededRun: RunOut | null;
  throttledUntil: string | null;
}

export interface StatusReport {
  targets: TargetStatus[];
  accounts: Map<string, AccountState>;
}

export async function statusReport(prisma: PrismaClient, queue: TargetQueueStatus[], now = new Date()): Promise<StatusReport> {
  const appIds = [...new Set(queue.map((q) => q.appId))];
  const [runs, accounts] = await Promise.all([lastRuns(prisma, appIds), accountStates(prisma, appIds)]);
  const targets = queue.map((q) => {
    const r = runs.get(`${q.appId}|${q.source}`);
    const until = accounts.get(q.appId)?.throttledUntil ?? null;
    return { ...q, lastRun: r?.last ?? null, lastSucceededRun: r?.lastSucceeded ?? null, throttledUntil: until && new Date(until) > now ? until : null };
  });
  return { targets, accounts };
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
    last_run: t.lastRun,
    last_succeeded_run: t.lastSucceededRun,
  };
}
