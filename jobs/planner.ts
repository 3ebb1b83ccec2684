// The planner's side in jobs/: one BullMQ Job Scheduler ("planner-tick", every tickMs)
// replaces the ten per account that earlier versions kept (removed here, so an upgrade
// leaves none behind), and the plan is brought in line with the configuration. With the
// plan already matching, a start costs a handful of Redis calls whatever the account count.
import type { AccountConfig, AppConfig } from "../src/config/config.ts";
import { plannerSettings } from "../src/config/config.ts";
import { reconcilePlan, type ReconcileResult } from "../src/planner/plan.ts";
import type { Redis } from "ioredis";
import { JOB_OPTIONS, type JobPayload } from "./catalog.ts";
import type { SyncQueue } from "./queue.ts";

export const PLANNER_TICK_ID = "planner-tick";

export interface PlannerStart {
  reconciled: ReconcileResult;
  /** job schedulers of earlier versions removed */
  removedSchedulers: string[];
}

/** Removes every Job Scheduler but the tick (the per-account ones of earlier versions). */
export async function removeLegacySchedulers(queue: SyncQueue): Promise<string[]> {
  const removed: string[] = [];
  for (const s of await queue.getJobSchedulers(0, -1)) {
    if (s.key === PLANNER_TICK_ID) continue;
    await queue.removeJobScheduler(s.key);
    removed.push(s.key);
  }
  return removed;
}

export async function startPlanner(queue: SyncQueue, redis: Redis, config: AppConfig, nowMs = Date.now()): Promise<PlannerStart> {
  const settings = plannerSettings(config);
  const removedSchedulers = await removeLegacySchedulers(queue);
  const data: JobPayload<"planner-tick"> = {};
  // idempotent by id: every replica's start converges on one scheduler
  await queue.upsertJobScheduler(PLANNER_TICK_ID, { every: settings.tickMs }, { name: "planner-tick", data, opts: { ...JOB_OPTIONS["planner-tick"] } });
  const reconciled = await reconcilePlan(redis, config.redisPrefix, config.accounts, settings.fullWindowMinutes, nowMs);
  return { reconciled, removedSchedulers };
}

/** After the accounts changed (file reload, SIGHUP): the plan follows. */
export function replan(redis: Redis, config: AppConfig, accounts: AccountConfig[], nowMs = Date.now()): Promise<ReconcileResult> {
  return reconcilePlan(redis, config.redisPrefix, accounts, plannerSettings(config).fullWindowMinutes, nowMs);
}
