// jobs/' side of src/job-queue.ts: the queue operations the CLI, the HTTP server and the
// status report use, over BullMQ. bin/mpsync.js hands `jobs` to the CLI.
import type { Redis } from "ioredis";
import type { JobQueue, Jobs } from "../src/job-queue.ts";
import { enqueueSync } from "./enqueue.ts";
import { createSyncQueue, type SyncQueue } from "./queue.ts";
import { queueCounts, queueStatus } from "./queue-status.ts";
import { startSyncWorker } from "./worker.ts";

/** `redis` holds the active-run markers (jobs/active-run.ts) under `prefix`. */
export function jobQueueOf(queue: SyncQueue, redis: Redis, prefix: string): JobQueue {
  return {
    bull: queue,
    enqueue: (request) => enqueueSync(queue, request),
    counts: () => queueCounts(queue),
    targets: (accounts) => queueStatus(queue, redis, prefix, accounts),
    async job(jobId) {
      const job = await queue.getJob(jobId);
      if (!job) return null;
      return { state: await job.getState(), progress: job.progress, result: job.returnvalue, failedReason: job.failedReason, attemptsMade: job.attemptsMade };
    },
    close: () => queue.close(),
  };
}

export const jobs: Jobs = {
  openQueue: (connection, prefix) => jobQueueOf(createSyncQueue(connection, prefix), connection, prefix),
  async startWorker(runtime, opts) {
    const w = await startSyncWorker(runtime, opts);
    return { queue: jobQueueOf(w.queue, runtime.redis, runtime.config.redisPrefix), consuming: w.consuming, shutdown: w.shutdown, reload: w.reload, requestMedia: w.requestMedia, enqueuePush: w.enqueuePush };
  },
};
