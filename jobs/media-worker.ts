// The media worker of one process: consumes the media queue with its own small job
// concurrency (downloads in flight are bounded by MEDIA_CONCURRENCY inside the pass), so
// mirroring never takes a sync job's slot. Started beside the sync worker.
import { Worker, type Job } from "bullmq";
import { createRedis } from "../src/redis/connection.ts";
import { withTimeout } from "../src/async/with-timeout.ts";
import type { Metrics } from "../src/metrics/registry.ts";
import type { Runtime } from "../src/runtime.ts";
import { createMediaService, type MediaService } from "../src/media/service.ts";
import { MEDIA_QUEUE_NAME, RETENTION } from "./catalog.ts";
import { createMediaQueue, requestMediaPass, type MediaQueue } from "./media-queue.ts";
import { createProcessor } from "./dispatch.ts";
import { processMediaSync } from "./processors/media-sync.ts";

/** passes (accounts) one process runs at once; they share the download bound */
const MEDIA_JOB_CONCURRENCY = 2;

export interface MediaWorker {
  worker: Worker;
  queue: MediaQueue;
  service: MediaService;
  /** ask for a pass of the account (deduplicated); never throws: mirroring must not fail a sync */
  request(appId: string | undefined): Promise<void>;
  shutdown(timeoutMs: number): Promise<void>;
}

export async function startMediaWorker(runtime: Runtime, opts: { metrics?: Metrics } = {}): Promise<MediaWorker> {
  const { config, logger } = runtime;
  const log = logger.child({ component: "media-worker" });
  // outages are logged once by the process's watch (src/redis/outage.ts), not per connection
  const queueConnection = runtime.redisWatch.connection(createRedis(config.redisUrl), "media-queue");
  const workerConnection = runtime.redisWatch.connection(createRedis(config.redisUrl), "media-worker");
  const queue = createMediaQueue(queueConnection, config.redisPrefix);
  const service = createMediaService({ config, prisma: runtime.prisma, logger, observer: opts.metrics?.media });
  const worker = new Worker(MEDIA_QUEUE_NAME, createProcessor(MEDIA_QUEUE_NAME, { "media-sync": (payload, ctx) => processMediaSync(service.mirror, payload, ctx) }), {
    connection: workerConnection,
    prefix: config.redisPrefix,
    concurrency: MEDIA_JOB_CONCURRENCY,
    lockDuration: config.worker.lockDurationMs ?? 30_000,
    ...RETENTION,
  });
  runtime.redisWatch.errors(queue, "media-queue");
  runtime.redisWatch.errors(worker, "media-worker");
  worker.on("failed", (job, e) => log.warn({ jobId: job?.id, appId: job?.data?.appId, err: e }, "media job failed"));
  await worker.waitUntilReady();
  return {
    worker,
    queue,
    service,
    async request(appId) {
      await requestMediaPass(queue, appId).catch((e: unknown) => log.warn({ err: e, appId }, "could not queue a media pass"));
    },
    async shutdown(timeoutMs) {
      const closed = worker.close();
      worker.cancelAllJobs("shutdown");
      await withTimeout(closed, timeoutMs);
      await queue.close().catch(() => {});
      await service.close().catch(() => {});
      queueConnection.disconnect();
      workerConnection.disconnect();
    },
  };
}
