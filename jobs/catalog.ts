// The typed job catalog: each job name has one payload schema and one set of job options.
// The worker dispatches by it (jobs/dispatch.ts: one handler per name, checked by the
// compiler); producers validate before adding. A new job is one entry here, one in
// JOB_OPTIONS and one handler in jobs/worker.ts.
import { z } from "zod";
import { SOURCES } from "../src/sync/types.ts";

/** One queue holds every job; its Redis keys live under config.redisPrefix. */
export const QUEUE_NAME = "sync";

const target = { appId: z.string().min(1), source: z.enum(SOURCES) };

export const JOB_SCHEMAS = {
  /** one engine run of one (account, source) */
  "sync-run": z.object({ ...target, mode: z.enum(["full", "incremental"]), trigger: z.enum(["schedule", "manual"]) }).strict(),
  /** a Job Scheduler firing: asks for a run through the same deduplicated path as a manual request */
  "schedule-tick": z.object({ ...target, mode: z.enum(["full", "incremental"]) }).strict(),
} as const;

export type JobName = keyof typeof JOB_SCHEMAS;
export type JobPayload<N extends JobName> = z.output<(typeof JOB_SCHEMAS)[N]>;
export type SyncRunPayload = JobPayload<"sync-run">;

/** Retention: enough history for status and the dashboard, bounded so Redis does not grow. */
export const RETENTION = {
  removeOnComplete: { count: 1_000, age: 7 * 86_400 },
  removeOnFail: { count: 5_000, age: 30 * 86_400 },
} as const;

/** Transient failures retry with exponential backoff; other kinds are decided in retry-policy.ts. */
export const JOB_OPTIONS: Record<JobName, { attempts: number; backoff?: { type: "exponential"; delay: number } }> = {
  "sync-run": { attempts: 6, backoff: { type: "exponential", delay: 15_000 } },
  "schedule-tick": { attempts: 3, backoff: { type: "exponential", delay: 5_000 } },
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

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOB_SCHEMAS, name);
}
