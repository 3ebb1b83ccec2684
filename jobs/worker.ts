// The BullMQ worker of one process: dispatches jobs by name to their processors (dispatch.ts), keeps the
// plan in line with the configuration (jobs/planner.ts), and shuts down within a bound.
import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { databaseLabel } from "../src/config/database.ts";
import { createRedis } from "../src/redis/connection.ts";
import type { Metrics } from "../src/metrics/registry.ts";
import type { Runtime } from "../src/runtime.ts";
import { AccountThrottledError, QuotaPausedError, SyncAbortedError, SyncLockedError } from "../src/sync/errors.ts";
import { QUEUE_NAME, RETENTION } from "./catalog.ts";
import { createProcessor } from "./dispatch.ts";
import { processPlannerTick } from "./processors/planner-tick.ts";
import { processScheduleTick } from "./processors/schedule-tick.ts";
import { processSyncRun } from "./processors/sync-run.ts";
import { processSearchReindex, requestSearchReindex } from "./processors/search-reindex.ts";
import { createSyncQueue, type SyncQueue } from "./queue.ts";
import { startMediaWorker } from "./media-worker.ts";
import { startPushWorker } from "./push-worker.ts";
import { enqueueSync } from "./enqueue.ts";
import { mediaConfigOf } from "../src/media/service.ts";
import { startChangeFeedWorker, type ChangeFeedWorker, type ChangeFeedWorkerOptions } from "./webhook-worker.ts";
import { replan, startPlanner } from "./planner.ts";
import type { AccountConfig } from "../src/config/config.ts";
import { plannerSettings, searchIndexOn } from "../src/config/config.ts";
import { withTimeout } from "../src/async/with-timeout.ts";

/**
 * How soon a dead worker's job is taken over. The lock is renewed every half of
 * lockDuration, so it expires between half and all of lockDuration after the worker died;
 * the stalled-job check (one per queue every stalledInterval, whichever worker runs it)
 * then moves it back to wait. Takeover therefore comes at most lockDuration +
 * stalledInterval after the death; the check runs at a tenth of the lock (0.5 to 5 s) so
 * that the lock duration is what decides it (BullMQ's default check, every 30 s, made it
 * about twice the lock).
 */
export function lockSettings(lockDurationMs: number): { lockDuration: number; stalledInterval: number; takeoverWithinMs: number } {
  const stalledInterval = Math.min(5_000, Math.max(500, Math.round(lockDurationMs / 10)));
  return { lockDuration: lockDurationMs, stalledInterval, takeoverWithinMs: lockDurationMs + stalledInterval };
}

export interface SyncWorker {
  worker: Worker;
  queue: SyncQueue;
  /** the change feed's relay, webhook deliveries and retention, beside the syncs */
  changeFeed: ChangeFeedWorker;
  /** true while this worker fetches jobs and its Redis connection is up (readiness) */
  consuming(): boolean;
  /** abort running syncs (each saves its checkpoint after the current page) and stop within `timeoutMs` */
  shutdown(timeoutMs: number): Promise<{ timedOut: boolean }>;
  /** reads the accounts again (opts.loadAccounts) and re-plans when they changed; SIGHUP and a timer call it */
  reload(): Promise<{ changed: boolean }>;
  /** asks for a media pass of these accounts (all when null); nothing when mirroring is off */
  requestMedia(appIds: string[] | null): Promise<void>;
  /** queues the processing of a stored publish job (message push) */
  enqueuePush(publishJobId: bigint): Promise<void>;
}

/** The metrics label of a run that ended in an error. */
function errorStatus(e: unknown): string {
  if (e instanceof SyncAbortedError) return "aborted";
  if (e instanceof SyncLockedError) return "locked";
  if (e instanceof AccountThrottledError) return "throttled";
  if (e instanceof QuotaPausedError) return "paused";
  return "failed";
}

export interface SyncWorkerOptions {
  metrics?: Metrics;
  /** false: no planner (tests that ask for their own runs) */
  schedules?: boolean;
  /** the accounts as configured now (the accounts file read again); enables reload() and its timer */
  loadAccounts?: () => AccountConfig[];
  changeFeed?: ChangeFeedWorkerOptions;
}

export async function startSyncWorker(runtime: Runtime, opts: SyncWorkerOptions = {}): Promise<SyncWorker> {
  const { config, logger } = runtime;
  const log = logger.child({ component: "worker" });
  const queueConnection: Redis = runtime.redisWatch.connection(createRedis(config.redisUrl), "queue");
  // workers block on Redis and must outlive an outage: maxRetriesPerRequest null (createRedis)
  const workerConnection: Redis = runtime.redisWatch.connection(createRedis(config.redisUrl), "worker");
  const queue = createSyncQueue(queueConnection, config.redisPrefix);
  runtime.redisWatch.errors(queue, "queue");

  if (opts.schedules !== false) {
    const r = await startPlanner(queue, runtime.redis, config);
    log.info({ ...r.reconciled, legacySchedulersRemoved: r.removedSchedulers.length }, "plan up to date");
  }

  // mirroring runs beside the syncs (its own queue and worker); each finished run asks for a pass of its account
  const media = mediaConfigOf(config).enabled ? await startMediaWorker(runtime, { metrics: opts.metrics }) : undefined;
  const changeFeed = await startChangeFeedWorker(runtime, opts.changeFeed);
  // pushed publishes: their own queue and worker, so a long walk never delays one
  const push = await startPushWorker(runtime, {
    metrics: opts.metrics,
    enqueueSync: (req) => enqueueSync(queue, req),
    requestMedia: async (appId) => {
      await media?.request(appId);
    },
  });
  const deps = {
    engine: runtime.engine,
    queue,
    redis: runtime.redis,
    prefix: config.redisPrefix,
    database: databaseLabel(config.databaseUrl),
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
    "planner-tick": () => processPlannerTick(queue, runtime),
    "search-reindex": (_payload, ctx) => processSearchReindex(runtime.prisma, log, ctx),
  });

  const locks = lockSettings(config.worker.lockDurationMs);
  const worker = new Worker(QUEUE_NAME, processor, {
    connection: workerConnection,
    prefix: config.redisPrefix,
    concurrency: config.worker.concurrency,
    // a job whose worker died is resumed (from the engine's checkpoint) by another one once its lock expires
    lockDuration: locks.lockDuration,
    stalledInterval: locks.stalledInterval,
    maxStalledCount: 3,
    ...RETENTION,
  });
  runtime.redisWatch.errors(worker, "worker");
  worker.on("failed", (job, e) => {
    if (job) log.warn({ jobId: job.id, job: job.name, appId: job.data?.appId, source: job.data?.source, attemptsMade: job.attemptsMade, err: e }, "job failed");
  });
  await worker.waitUntilReady();
  // rows synced while search was off (or before it existed) are indexed in the background
  if (searchIndexOn(config)) {
    await requestSearchReindex(queue).catch((e: unknown) => log.warn({ err: e }, "search: could not queue the reindex of unindexed news items; run mpsync search reindex"));
  }

  let closing = false;
  let lastAccounts = JSON.stringify(config.accounts);
  const reload = async (): Promise<{ changed: boolean }> => {
    if (!opts.loadAccounts) return { changed: false };
    const accounts = opts.loadAccounts();
    const text = JSON.stringify(accounts);
    if (text === lastAccounts) return { changed: false };
    lastAccounts = text;
    runtime.setAccounts(accounts);
    if (opts.schedules !== false) {
      const r = await replan(runtime.redis, config, config.accounts);
      log.info({ accounts: accounts.length, ...r }, "accounts reloaded; plan up to date");
    }
    return { changed: true };
  };
  // the accounts file is looked at again within a minute (SIGHUP: at once, see the worker command)
  const reloadTimer = opts.loadAccounts
    ? setInterval(() => void reload().catch((e: unknown) => log.warn({ err: e }, "accounts not reloaded; the previous ones stay in effect")), plannerSettings(config).reloadMs)
    : undefined;
  reloadTimer?.unref();
  return {
    reload,
    worker,
    queue,
    changeFeed,
    enqueuePush: (publishJobId) => push.enqueue(publishJobId),
    async requestMedia(appIds) {
      if (!media) return;
      if (appIds === null) await media.request(undefined);
      else for (const appId of appIds) await media.request(appId);
    },
    consuming: () => !closing && worker.isRunning() && !worker.isPaused() && workerConnection.status === "ready",
    async shutdown(timeoutMs) {
      closing = true;
      const mediaClosed = media?.shutdown(timeoutMs);
      const changeFeedClosed = changeFeed.shutdown(timeoutMs);
      const pushClosed = push.shutdown(timeoutMs);
      clearInterval(reloadTimer);
      const closed = worker.close();
      worker.cancelAllJobs("shutdown");
      const timedOut = (await withTimeout(closed.then(() => false), timeoutMs)) ?? true;
      if (timedOut) log.warn({ timeoutMs }, "shutdown timeout: jobs still running are left to stall and resume elsewhere");
      await mediaClosed;
      await changeFeedClosed;
      await pushClosed;
      await queue.close().catch(() => {});
      queueConnection.disconnect();
      workerConnection.disconnect();
      return { timedOut };
    },
  };
}
