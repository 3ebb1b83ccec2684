// The change feed's side of a worker process, started beside the sync worker: the outbox
// relay (a short poll that turns committed events into queued deliveries), the webhook
// delivery worker on its own queue and concurrency (a slow or dead endpoint never takes a
// sync job's slot), and the retention pruning of events and delivery records.
import { Worker, type Job } from "bullmq";
import { createRedis } from "../src/redis/connection.ts";
import type { Runtime } from "../src/runtime.ts";
import { changeFeedConfigOf } from "../src/config/change-feed.ts";
import { createDispatcher } from "../src/webhooks/dispatch.ts";
import { createSender } from "../src/webhooks/send.ts";
import { DEFAULT_RETRY_BASE_MS, retryDelayMs, retrySchedule } from "../src/webhooks/backoff.ts";
import { RETENTION, WEBHOOK_QUEUE_NAME } from "./catalog.ts";
import { createWebhookQueue, deliveryQueueOf, type WebhookQueue } from "./webhook-queue.ts";
import { createProcessor } from "./dispatch.ts";
import { processWebhookDelivery } from "./processors/webhook-delivery.ts";
import { withTimeout } from "../src/async/with-timeout.ts";

export interface ChangeFeedWorkerOptions {
  /** first retry delay (tests shorten it); the schedule keeps its shape (backoff.ts) */
  retryBaseMs?: number;
  /** attempts per delivery (tests); default: enough for 24 h of retries */
  attempts?: number;
  /** how often the relay looks for new events */
  dispatchIntervalMs?: number;
  /** how often retention pruning runs */
  pruneIntervalMs?: number;
}

export interface ChangeFeedWorker {
  queue: WebhookQueue | undefined;
  /** one relay pass now (tests, and the worker's poll) */
  dispatchNow(): Promise<number>;
  shutdown(timeoutMs: number): Promise<void>;
}

export async function startChangeFeedWorker(runtime: Runtime, opts: ChangeFeedWorkerOptions = {}): Promise<ChangeFeedWorker> {
  const { config, logger } = runtime;
  const log = logger.child({ component: "change-feed" });
  const feed = changeFeedConfigOf(config);
  const store = runtime.changeFeed;
  const timers: NodeJS.Timeout[] = [];

  const prune = async (): Promise<void> => {
    try {
      const r = await store.prune(feed.retentionDays);
      if (r.events + r.deliveries > 0) log.info({ ...r, retentionDays: feed.retentionDays }, "pruned change events and delivery records past their retention");
    } catch (e) {
      log.warn({ err: e }, "could not prune the change feed");
    }
  };
  void prune();
  timers.push(setInterval(() => void prune(), opts.pruneIntervalMs ?? 3_600_000));

  if (feed.webhooks.length === 0) {
    return { queue: undefined, dispatchNow: async () => 0, shutdown: async () => timers.forEach(clearInterval) };
  }

  // outages are logged once by the process's watch (src/redis/outage.ts), not per connection
  const queueConnection = runtime.redisWatch.connection(createRedis(config.redisUrl), "webhook-queue");
  const workerConnection = runtime.redisWatch.connection(createRedis(config.redisUrl), "webhook-worker");
  const queue = createWebhookQueue(queueConnection, config.redisPrefix);
  const baseMs = opts.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
  const attempts = opts.attempts ?? retrySchedule(baseMs).attempts;
  const dispatcher = createDispatcher(store, deliveryQueueOf(queue, attempts), feed.webhooks);
  const sender = createSender(feed.webhookTimeoutMs);
  const deps = { store, sender, endpoints: feed.webhooks };

  const worker = new Worker(WEBHOOK_QUEUE_NAME, createProcessor(WEBHOOK_QUEUE_NAME, { "webhook-delivery": (payload, ctx) => processWebhookDelivery(deps, payload, ctx) }), {
    connection: workerConnection,
    prefix: config.redisPrefix,
    concurrency: feed.webhookConcurrency,
    lockDuration: Math.max(30_000, feed.webhookTimeoutMs * 3),
    settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(baseMs, attemptsMade) },
    ...RETENTION,
  });
  runtime.redisWatch.errors(queue, "webhook-queue");
  runtime.redisWatch.errors(worker, "webhook-worker");
  worker.on("failed", (job, e) => {
    // the reason names no URL; attempts tell an operator how far along the schedule it is
    if (job) log.warn({ jobId: job.id, attemptsMade: job.attemptsMade, reason: e.message }, "webhook delivery attempt failed");
  });
  await worker.waitUntilReady();

  let dispatching: Promise<number> | undefined;
  const dispatchNow = (): Promise<number> => {
    // one pass at a time in this process; other processes are kept apart by row locks
    dispatching ??= dispatcher.tick().finally(() => (dispatching = undefined));
    return dispatching;
  };
  const poll = (): void =>
    void dispatchNow().catch((e: unknown) => log.warn({ err: e }, "webhook dispatch failed; retrying at the next poll"));
  poll();
  timers.push(setInterval(poll, opts.dispatchIntervalMs ?? 1_000));
  log.info({ endpoints: feed.webhooks.length, concurrency: feed.webhookConcurrency }, "webhook delivery started");

  return {
    queue,
    dispatchNow,
    async shutdown(timeoutMs) {
      timers.forEach(clearInterval);
      const closed = worker.close();
      await withTimeout(closed, timeoutMs);
      await dispatching?.catch(() => {});
      await queue.close().catch(() => {});
      await sender.close().catch(() => {});
      queueConnection.disconnect();
      workerConnection.disconnect();
    },
  };
}
