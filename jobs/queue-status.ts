// What the queue knows about each (account, source): pending and active runs, and the
// next planned ones (the planner's sorted set, read in batches). Read by `mpsync status`, `mpsync accounts` and /admin/runs.
import type { Redis } from "ioredis";
import type { AccountConfig } from "../src/config/config.ts";
import type { TargetQueueStatus } from "../src/job-queue.ts";
import { SOURCES } from "../src/sync/types.ts";
import { activeRunOf } from "./active-run.ts";
import { targetKey, type SyncQueue } from "./queue.ts";
import { dueTimes, planMember } from "../src/planner/plan.ts";

const isoOrNull = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export async function queueStatus(queue: SyncQueue, redis: Redis, prefix: string, accounts: AccountConfig[]): Promise<TargetQueueStatus[]> {
  const targets = accounts.flatMap((a) => SOURCES.map((source) => ({ appId: a.appId, source })));
  const due = await dueTimes(redis, prefix, targets.flatMap((t) => [planMember(t.appId, t.source, "incremental"), planMember(t.appId, t.source, "full")]));
  const out: TargetQueueStatus[] = [];
  // pending and active runs of many targets: one pipeline per batch instead of two round trips each
  for (let i = 0; i < targets.length; i += 1_000) {
    const batch = targets.slice(i, i + 1_000);
    const found = await Promise.all(batch.map((t) => Promise.all([queue.getDeduplicationJobId(targetKey(t.appId, t.source)), activeRunOf(redis, prefix, t.appId, t.source)])));
    batch.forEach((t, j) => {
      const [pendingJobId, activeJobId] = found[j]!;
      const n = 2 * (i + j);
      out.push({ ...t, pendingJobId, activeJobId, nextIncremental: isoOrNull(due[n] ?? undefined), nextFull: isoOrNull(due[n + 1] ?? undefined) });
    });
  }
  return out;
}

/** Jobs in the queue by state (metrics and /admin/runs). */
export async function queueCounts(queue: SyncQueue): Promise<Record<string, number>> {
  return queue.getJobCounts("waiting", "active", "delayed", "failed", "completed", "prioritized");
}
