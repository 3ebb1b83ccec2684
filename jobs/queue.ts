// The queue handle every producer and the worker share: name, prefix, default options.
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { QUEUE_NAME, RETENTION } from "./catalog.ts";

export type SyncQueue = Queue;

/** `connection` may be shared with other short commands; BullMQ duplicates it for blocking ones. */
export function createSyncQueue(connection: Redis, prefix: string): SyncQueue {
  return new Queue(QUEUE_NAME, { connection, prefix, defaultJobOptions: { ...RETENTION } });
}

/** The key BullMQ and mpsync share for one (account, source): dedup id and active-run marker. */
export function targetKey(appId: string, source: string): string {
  return `${appId}|${source}`;
}
