// The typed job catalog: each job name has one payload schema and one set of job options.
// The worker dispatches by it (jobs/dispatch.ts: one handler per name, checked by the
// compiler); producers validate before adding. A new job is one entry here, one in
// JOB_OPTIONS and one handler in jobs/worker.ts.
import { z } from "zod";
import { SOURCES } from "../src/sync/types.ts";
import { DEFAULT_RETRY_BASE_MS, retrySchedule } from "../src/webhooks/backoff.ts";

/** One queue holds every sync job; its Redis keys live under config.redisPrefix. */
export const QUEUE_NAME = "sync";
/** Media passes have a queue and a worker of their own, so they never take a sync job's slot. */
export const MEDIA_QUEUE_NAME = "media";
/** Webhook deliveries have a queue and a worker of their own, so a slow endpoint never takes a sync job's slot. */
export const WEBHOOK_QUEUE_NAME = "webhooks";
/** Pushed publishes have their own queue and worker, so a long walk never delays one. */
export const PUSH_QUEUE_NAME = "push";

const target = { appId: z.string().min(1), source: z.enum(SOURCES) };

export const JOB_SCHEMAS = {
  /** one engine run of one (account, source) */
  "sync-run": z.object({ ...target, mode: z.enum(["full", "incremental"]), trigger: z.enum(["schedule", "manual", "push"]) }).strict(),
  /** a per-account Job Scheduler of earlier versions firing (removed at start; a job already queued still works) */
  "schedule-tick": z.object({ ...target, mode: z.enum(["full", "incremental"]) }).strict(),
  /** one media pass (discover, download, render) of one account, or of all when appId is absent; queue MEDIA_QUEUE_NAME */
  "media-sync": z.object({ appId: z.string().min(1).optional() }).strict(),
  /** one attempt at one webhook delivery (webhook_deliveries row of this generation); queue WEBHOOK_QUEUE_NAME */
  "webhook-delivery": z.object({ deliveryId: z.string().regex(/^\d{1,19}$/), generation: z.number().int().min(0) }).strict(),
  /** the planner's periodic tick: enqueues every (account, source) that is due (src/planner) */
  "planner-tick": z.object({}).strict(),
  /** indexes news items whose search document is NULL (SEARCH_INDEX on); asked for by each worker at start, one pending across replicas */
  "search-reindex": z.object({}).strict(),
  /** one PUBLISHJOBFINISH (publish_jobs row) to process: fetch and write its article, or record its status; queue PUSH_QUEUE_NAME */
  "push-publish": z.object({ publishJobId: z.string().regex(/^\d{1,19}$/) }).strict(),
} as const;

export type JobName = keyof typeof JOB_SCHEMAS;

/** The queue each job runs on: a worker consumes one queue and handles exactly its jobs. */
export const JOB_QUEUES = {
  "sync-run": QUEUE_NAME,
  "schedule-tick": QUEUE_NAME,
  "planner-tick": QUEUE_NAME,
  "search-reindex": QUEUE_NAME,
  "media-sync": MEDIA_QUEUE_NAME,
  "webhook-delivery": WEBHOOK_QUEUE_NAME,
  "push-publish": PUSH_QUEUE_NAME,
} as const satisfies Record<JobName, string>;
export type QueueName = (typeof JOB_QUEUES)[JobName];
/** The job names that run on queue Q. */
export type JobNameOf<Q extends QueueName> = { [N in JobName]: (typeof JOB_QUEUES)[N] extends Q ? N : never }[JobName];
export type JobPayload<N extends JobName> = z.output<(typeof JOB_SCHEMAS)[N]>;
export type SyncRunPayload = JobPayload<"sync-run">;

/** Retention: enough history for status and the dashboard, bounded so Redis does not grow. */
export const RETENTION = {
  removeOnComplete: { count: 1_000, age: 7 * 86_400 },
  removeOnFail: { count: 5_000, age: 30 * 86_400 },
} as const;

/** Transient failures retry with exponential backoff; other kinds are decided in retry-policy.ts. */
export const JOB_OPTIONS: Record<JobName, { attempts: number; backoff?: { type: "exponential" | "webhook"; delay: number } }> = {
  "sync-run": { attempts: 6, backoff: { type: "exponential", delay: 15_000 } },
  "schedule-tick": { attempts: 3, backoff: { type: "exponential", delay: 5_000 } },
  // failed downloads are recorded on their assets; a job fails only when the database does
  "media-sync": { attempts: 3, backoff: { type: "exponential", delay: 30_000 } },
  // the webhook worker's own backoff strategy (src/webhooks/backoff.ts): from 10 s, capped at 1 h, for at least 24 h
  "webhook-delivery": { attempts: retrySchedule().attempts, backoff: { type: "webhook", delay: DEFAULT_RETRY_BASE_MS } },
  // the next tick comes soon anyway
  "planner-tick": { attempts: 1 },
  // committed batches stay: a retry carries on where the failed attempt stopped
  "search-reindex": { attempts: 5, backoff: { type: "exponential", delay: 60_000 } },
  // WeChat hiccups retry; a walk holding the lock only delays it (jobs/processors/push-publish.ts)
  "push-publish": { attempts: 5, backoff: { type: "exponential", delay: 2_000 } },
};

/**
 * The schemas seen one name at a time: SCHEMAS[name] is the schema of exactly that
 * name's payload, so parsing needs no cast (the object is checked against this type here).
 */
const SCHEMAS: { [N in JobName]: z.ZodType<JobPayload<N>> } = JOB_SCHEMAS;

/** Parses a payload; a bad one is a programming or operator error, never worth retrying. */
export function parsePayload<N extends JobName>(name: N, data: unknown): JobPayload<N> {
  return SCHEMAS[name].parse(data);
}

/** True when `name` is a catalog job that runs on `queue`. */
export function isJobOf<Q extends QueueName>(queue: Q, name: string): name is JobNameOf<Q> {
  return isJobName(name) && JOB_QUEUES[name] === queue;
}

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOB_SCHEMAS, name);
}
