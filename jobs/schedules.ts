// Job Schedulers: for every configured account and source, an incremental run every N
// minutes and a full run on a cron pattern (AccountConfig.schedule). upsertJobScheduler is
// idempotent by id, so every worker start (any number of replicas) converges on the same
// set; schedulers of accounts no longer configured, or with schedules disabled, are removed.
import type { AccountConfig } from "../src/config/config.ts";
import { SOURCES, type Source, type SyncMode } from "../src/sync/types.ts";
import { JOB_OPTIONS, type JobPayload } from "./catalog.ts";
import type { SyncQueue } from "./queue.ts";

export function schedulerId(appId: string, source: Source, mode: SyncMode): string {
  return `${appId}|${source}|${mode}`;
}

export interface ScheduleSyncResult {
  upserted: string[];
  removed: string[];
}

export async function syncSchedules(queue: SyncQueue, accounts: AccountConfig[]): Promise<ScheduleSyncResult> {
  const wanted = new Set<string>();
  const upserted: string[] = [];
  for (const account of accounts.filter((a) => a.schedule.enabled)) {
    for (const source of SOURCES) {
      for (const mode of ["incremental", "full"] as const) {
        const id = schedulerId(account.appId, source, mode);
        wanted.add(id);
        const repeat = mode === "incremental" ? { every: account.schedule.incrementalEveryMinutes * 60_000 } : { pattern: account.schedule.fullCron, tz: "UTC" };
        const data: JobPayload<"schedule-tick"> = { appId: account.appId, source, mode };
        await queue.upsertJobScheduler(id, repeat, { name: "schedule-tick", data, opts: { ...JOB_OPTIONS["schedule-tick"] } });
        upserted.push(id);
      }
    }
  }
  const removed: string[] = [];
  for (const s of await queue.getJobSchedulers(0, -1)) {
    if (!wanted.has(s.key)) {
      await queue.removeJobScheduler(s.key);
      removed.push(s.key);
    }
  }
  return { upserted, removed };
}

/** When each scheduler fires next (ms since epoch), by scheduler id. */
export async function nextScheduledRuns(queue: SyncQueue): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const s of await queue.getJobSchedulers(0, -1)) if (s.next !== undefined) out.set(s.key, s.next);
  return out;
}
