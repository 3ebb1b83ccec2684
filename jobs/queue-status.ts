// What the queue knows about each (account, source): pending and active runs and the
// next scheduled ones. Read by `mpsync status`, `mpsync accounts` and /admin/runs.
import type { Redis } from "ioredis";
import type { AccountConfig } from "../src/config/config.ts";
import type { TargetQueueStatus } from "../src/job-queue.ts";
import { SOURCES } from "../src/sync/types.ts";
import { activeRunOf } from "./active-run.ts";
import { targetKey, type SyncQueue } from "./queue.ts";
import { nextScheduledRuns, schedulerId } from "./schedules.ts";

const isoOrNull = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export async function queueStatus(queue: SyncQueue, redis: Redis, prefix: string, accounts: AccountConfig[]): Promise<TargetQueueStatus[]> {
  const next = await nextScheduledRuns(queue);
  const out: TargetQueueStatus[] = [];
  for (const a of accounts) {
    for (const source of SOURCES) {
      const [pendingJobId, activeJobId] = await Promise.all([queue.getDeduplicationJobId(targetKey(a.appId, source)), activeRunOf(redis, prefix, a.appId, source)]);
      out.push({
        appId: a.appId,
        source,
        pendingJobId,
        activeJobId,
        nextIncremental: isoOrNull(next.get(schedulerId(a.appId, source, "incremental"))),
        nextFull: isoOrNull(next.get(schedulerId(a.appId, source, "full"))),
      });
    }
  }
  return out;
}

/** Jobs in the queue by state (metrics and /admin/runs). */
export async function queueCounts(queue: SyncQueue): Promise<Record<string, number>> {
  return queue.getJobCounts("waiting", "active", "delayed", "failed", "completed", "prioritized");
}
