// Job name → handler, typed from the catalog: JobHandlers<Q> has exactly one handler per
// catalog entry of queue Q (a missing or extra one does not compile), and each handler
// receives its own parsed payload. A name outside the queue's part of the catalog, or a
// payload its schema refuses, fails the job for good (UnrecoverableError): retrying
// cannot change either.
import { UnrecoverableError, type Job } from "bullmq";
import { z } from "zod";
import { isJobOf, parsePayload, type JobNameOf, type JobPayload, type QueueName } from "./catalog.ts";

export interface JobContext {
  job: Job;
  /** the job's lock token (moveToDelayed needs it) */
  token: string | undefined;
  /** aborted when the worker shuts down */
  signal: AbortSignal | undefined;
}

export type JobHandlers<Q extends QueueName> = { [N in JobNameOf<Q>]: (payload: JobPayload<N>, ctx: JobContext) => Promise<unknown> };

export type Processor = (job: Job, token?: string, signal?: AbortSignal) => Promise<unknown>;

function run<Q extends QueueName, N extends JobNameOf<Q>>(handlers: JobHandlers<Q>, name: N, ctx: JobContext): Promise<unknown> {
  let payload: JobPayload<N>;
  try {
    payload = parsePayload(name, ctx.job.data);
  } catch (e) {
    if (e instanceof z.ZodError) throw new UnrecoverableError(`job ${name} has an invalid payload: ${z.prettifyError(e)}`);
    throw e;
  }
  const handler: JobHandlers<Q>[N] = handlers[name];
  return handler(payload, ctx);
}

export function createProcessor<Q extends QueueName>(queue: Q, handlers: JobHandlers<Q>): Processor {
  // three parameters: BullMQ passes the abort signal only to processors that declare it
  return async (job: Job, token?: string, signal?: AbortSignal) => {
    if (!isJobOf(queue, job.name)) throw new UnrecoverableError(`unknown job name ${job.name} on queue ${queue}`);
    return run(handlers, job.name, { job, token, signal });
  };
}
