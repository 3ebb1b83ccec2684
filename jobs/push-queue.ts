// Asking for the processing of a publish job: one BullMQ job per publish_jobs row (its id
// is the job id), so a retried push, a replay or a re-enqueue after a lost add never
// processes a publish twice.
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { JOB_OPTIONS, parsePayload, PUSH_QUEUE_NAME, RETENTION } from "./catalog.ts";

export type PushQueue = Queue;

export function createPushQueue(connection: Redis, prefix: string): PushQueue {
  return new Queue(PUSH_QUEUE_NAME, { connection, prefix, defaultJobOptions: { ...RETENTION } });
}

export async function enqueuePublishJob(queue: PushQueue, publishJobId: bigint): Promise<string> {
  const data = parsePayload("push-publish", { publishJobId: publishJobId.toString() });
  const job = await queue.add("push-publish", data, { ...JOB_OPTIONS["push-publish"], jobId: `publish-${data.publishJobId}` });
  return job.id!;
}
