// The push worker of one process: consumes the push queue (one job per PUBLISHJOBFINISH),
// beside the sync worker and with its own concurrency, so a long full walk never holds up
// a pushed publish. Started by the sync worker.
import { Worker } from "bullmq";
import { createRedis } from "../src/redis/connection.ts";
import { withTimeout } from "../src/async/with-timeout.ts";
import type { Metrics } from "../src/metrics/registry.ts";
import type { Runtime } from "../src/runtime.ts";
import type { Enqueued, RunRequest } from "../src/job-queue.ts";
import { PUSH_QUEUE_NAME, RETENTION } from "./catalog.ts";
import { createProcessor } from "./dispatch.ts";
import { processPushPublish } from "./processors/push-publish.ts";
import { createPushQueue, enqueuePublishJob, type PushQueue } from "./push-queue.ts";

/** publish jobs one process handles at once (each is one getarticle call and one page write) */
const PUSH_JOB_CONCURRENCY = 4;

export interface PushWorker {
  worker: Worker;
  queue: PushQueue;
  enqueue(publishJobId: bigint): Promise<void>;
  shutdown(timeoutMs: number): Promise<void>;
}

export async function startPushWorker(
  runtime: Runtime,
  opts: { metrics?: Metrics; enqueueSync(req: RunRequest): Promise<Enqueued>; requestMedia(appId: string): Promise<void> },
): Promise<PushWorker> {
  const { config, logger } = runtime;
  const log = logger.child({ component: "push-worker" });
  const queueConnection = runtime.redisWatch.connection(createRedis(config.redisUrl), "push-queue");
  const workerConnection = runtime.redisWatch.connection(createRedis(config.redisUrl), "push-worker");
  const queue = createPushQueue(queueConnection, config.redisPrefix);
  const deps = { pushes: runtime.pushes, articles: runtime.pushArticles, enqueueSync: opts.enqueueSync, requestMedia: opts.requestMedia, metrics: opts.metrics, logger: log };
  const worker = new Worker(PUSH_QUEUE_NAME, createProcessor(PUSH_QUEUE_NAME, { "push-publish": (payload, ctx) => processPushPublish(deps, payload, ctx) }), {
    connection: workerConnection,
    prefix: config.redisPrefix,
    concurrency: PUSH_JOB_CONCURRENCY,
    lockDuration: config.worker.lockDurationMs,
    ...RETENTION,
  });
  runtime.redisWatch.errors(queue, "push-queue");
  runtime.redisWatch.errors(worker, "push-worker");
  worker.on("failed", (job, e) => log.warn({ jobId: job?.id, publishJobId: job?.data?.publishJobId, attemptsMade: job?.attemptsMade, err: e }, "push job failed"));
  await worker.waitUntilReady();
  return {
    worker,
    queue,
    async enqueue(publishJobId) {
      await enqueuePublishJob(queue, publishJobId);
    },
    async shutdown(timeoutMs) {
      const closed = worker.close();
      worker.cancelAllJobs("shutdown");
      await withTimeout(closed, timeoutMs);
      await queue.close().catch(() => {});
      queueConnection.disconnect();
      workerConnection.disconnect();
    },
  };
}
