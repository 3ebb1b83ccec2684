// Asking for a media pass: at most one pending pass per account however often asked
// (BullMQ deduplication id); the processor releases the slot when the pass starts, so a
// sync that finishes during a pass queues exactly one more.
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { JOB_OPTIONS, MEDIA_QUEUE_NAME, parsePayload, RETENTION } from "./catalog.ts";

export type MediaQueue = Queue;

export function createMediaQueue(connection: Redis, prefix: string): MediaQueue {
  return new Queue(MEDIA_QUEUE_NAME, { connection, prefix, defaultJobOptions: { ...RETENTION } });
}

const mediaDedupId = (appId: string | undefined): string => `media|${appId ?? "*"}`;

export async function requestMediaPass(queue: MediaQueue, appId?: string): Promise<string> {
  const data = parsePayload("media-sync", appId ? { appId } : {});
  const job = await queue.add("media-sync", data, { ...JOB_OPTIONS["media-sync"], deduplication: { id: mediaDedupId(appId) } });
  return job.id!;
}
