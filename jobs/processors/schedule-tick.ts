// Processor of "schedule-tick": a schedule asks for a run like anyone else, so it shares
// the one-pending-run-per-(account, source) slot.
import type { JobPayload } from "../catalog.ts";
import { enqueueSync, type Enqueued } from "../enqueue.ts";
import type { SyncQueue } from "../queue.ts";

export async function processScheduleTick(queue: SyncQueue, data: JobPayload<"schedule-tick">): Promise<Enqueued> {
  return enqueueSync(queue, { ...data, trigger: "schedule" });
}
