// Processor of "planner-tick": enqueue every (account, source) that is due, through the
// same deduplicated path as a manual request (src/planner/tick.ts decides what is due).
import type { Runtime } from "../../src/runtime.ts";
import { plannerSettings } from "../../src/config/config.ts";
import { planTick, type TickResult } from "../../src/planner/tick.ts";
import { enqueueSync } from "../enqueue.ts";
import type { SyncQueue } from "../queue.ts";

export async function processPlannerTick(queue: SyncQueue, runtime: Runtime, nowMs = Date.now()): Promise<TickResult> {
  const { config, logger } = runtime;
  return planTick(
    {
      redis: runtime.redis,
      prefix: config.redisPrefix,
      accounts: config.accounts,
      fullWindowMinutes: plannerSettings(config).fullWindowMinutes,
      quota: runtime.quota,
      enqueue: (t) => enqueueSync(queue, { ...t, trigger: "schedule" }),
      onEnqueueError: (t, e) => logger.warn({ ...t, err: e }, "planner: could not queue a due run; it is asked for again at its next due time"),
    },
    nowMs,
  );
}
