// The BullMQ worker of one process: dispatches jobs by name to their processors (dispatch.ts), keeps the
// schedules in line with the configuration, and shuts down within a bound.
import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { createRedis } from "../src/redis/connection.ts";
import type { Metrics } from "../src/metrics/registry.ts";
import type { Runtime } from "../src/runtime.ts";
import { AccountThrottledError, SyncAbortedError, SyncLockedError } from "../src/sync/errors.ts";
import { QUEUE_NAME, RETENTION } from "./catalog.ts";
import { createProcessor } from "./dispatch.ts";
import { processScheduleTick } from "./processors/schedule-tick.ts";
import { processSyncRun } from "./processors/sync-run.ts";
import { createSyncQueue, type SyncQueue } from "./queue.ts";
import { syncSchedules } from "./schedules.ts";
import { startMediaWorker } from "./media-worker.ts";
import { mediaConfigOf } from "../src/media/service.ts";
import { startChangeFeedWorker, type ChangeFeedWorker, type ChangeFeedWorkerOptions } from "./webhook-worker.ts";

export interface SyncWorker {
  worker: Worker;
  queue: SyncQueue;
  /** the change feed's relay, webhook deliveries and retention, beside the syncs */
  changeFeed: ChangeFeedWorker;
  /** true while this worker fetches jobs and its Redis connection is up (readiness) */
  consuming(): boolean;
  /** abort running syncs (each saves its checkpoint after the current page) and stop within `timeoutMs` */
  shutdown(timeoutMs: number): Promise<{ timedOut: boolean }>;
}

/** The metrics label of a run that ended in an error. */
function errorStatus(e: unknown): string {
  if (e instanceof SyncAbortedError) return "aborted";
  if (e instanceof SyncLockedError) return "locked";
  if (e instanceof AccountThrottledError) return "throttled";
  return "failed";
}

export async function startSyncWorker(runtime: Runtime, opts: { metrics?: Metrics; schedules?: boolean; changeFeed?: ChangeFeedWorkerOptions } = {}): Promise<SyncWorker> {
  const { config, logger } = runtime;
  const log = logger.child({ component: "worker" });
  const queueConnection: Redis = createRedis(config.redisUrl);
  // workers block on Redis and must outlive an outage: maxRetriesPerRequest null (createRedis)
  const workerConnection: Redis = createRedis(config.redisUrl);
  for (const c of [queueConnection, workerConnection]) c.on("error", (e: Error) => log.warn({ err: e }, "redis connection error"));
  const queue = createSyncQueue(queueConnection, config.redisPrefix);

  if (opts.schedules !== false) {
    const r = await syncSchedules(queue, config.accounts);
    log.info({ schedulers: r.upserted.length, removed: r.removed }, "job schedulers up to date");
  }

  // mirroring runs beside the syncs (its own queue and worker); each finished run asks for a pass of its account
  const media = mediaConfigOf(config).enabled ? await startMediaWorker(runtime, { metrics: opts.metrics }) : undefined;
  const changeFeed = await startChangeFeedWorker(runtime, opts.changeFeed);
  const deps = {
    engine: runtime.engine,
    queue,
    redis: runtime.redis,
    prefix: config.redisPrefix,
    onResult: (r: Parameters<Metrics["recordRun"]>[0], appId: string) => {
      opts.metrics?.recordRun(r, appId);
      void media?.request(appId);
    },
    onFailure: (e: unknown, appId: string, source: string, mode: string) => opts.metrics?.recordRunError(appId, source, mode, errorStatus(e)),
  };
  // one handler per catalog entry: the compiler refuses a missing or unknown one
  const processor = createProcessor(QUEUE_NAME, {
    "sync-run": (payload, ctx) => processSyncRun(deps, payload, ctx),
    "schedule-tick": (payload) => processScheduleTick(queue, payload),
  });

  const worker = new Worker(QUEUE_NAME, processor, {
    connection: workerConnection,
    prefix: config.redisPrefix,
    concurrency: config.worker.concurrency,
    // a job whose worker died is resumed (from the engine's checkpoint) by another one once its lock expires
    lockDuration: config.worker.lockDurationMs,
    stalledInterval: config.worker.lockDurationMs,
    maxStalledCount: 3,
    ...RETENTION,
  });
  worker.on("error", (e) => log.warn({ err: e }, "worker error"));
  worker.on("failed", (job, e) => {
    if (job) log.warn({ jobId: job.id, job: job.name, appId: job.data?.appId, source: job.data?.source, attemptsMade: job.attemptsMade, err: e }, "job failed");
  });
  await worker.waitUntilReady();

  let closing = false;
  return {
    worker,
    queue,
    changeFeed,
    consuming: () => !closing && worker.isRunning() && !worker.isPaused() && workerConnection.status === "ready",
    async shutdown(timeoutMs) {
      closing = true;
      const mediaClosed = media?.shutdown(timeoutMs);
      const changeFeedClosed = changeFeed.shutdown(timeoutMs);
      const closed = worker.close();
      worker.cancelAllJobs("shutdown");
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        closed.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (timedOut) log.warn({ timeoutMs }, "shutdown timeout: jobs still running are left to stall and resume elsewhere");
      await mediaClosed;
      await changeFeedClosed;
      await queue.close().catch(() => {});
      queueConnection.disconnect();
      workerConnection.disconnect();
      return { timedOut };
    },
  };
}
