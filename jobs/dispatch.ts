// Job name → handler, typed from the catalog: JobHandlers has exactly one handler per
// catalog entry (a missing or extra one does not compile), and each handler receives its
// own parsed payload. A name outside the catalog, or a payload its schema refuses, fails
// the job for good (UnrecoverableError): retrying cannot change either.
import { UnrecoverableError, type Job } from "bullmq";
import { z } from "zod";
import { isJobName, parsePayload, type JobName, type JobPayload } from "./catalog.ts";

export interface JobContext {
  job: Job;
  /** the job's lock token (moveToDelayed needs it) */
  token: string | undefined;
  /** aborted when the worker shuts down */
  signal: AbortSignal | undefined;
}

export type JobHandlers = { [N in JobName]: (payload: JobPayload<N>, ctx: JobContext) => Promise<unknown> };

export type Processor = (job: Job, token?: string, signal?: AbortSignal) => Promise<unknown>;

function run<N extends JobName>(handlers: JobHandlers, name: N, ctx: JobContext): Promise<unknown> {
  let payload: JobPayload<N>;
  try {
    payload = parsePayload(name, ctx.job.data);
  } catch (e) {
    if (e instanceof z.ZodError) throw new UnrecoverableError(`job ${name} has an invalid payload: ${z.prettifyError(e)}`);
    throw e;
  }
  const handler: JobHandlers[N] = handlers[name];
  return handler(payload, ctx);
}

export function createDispatcher(handlers: JobHandlers): Processor {
  // three parameters: BullMQ passes the abort signal only to processors that declare it
  return async (job: Job, token?: string, signal?: AbortSignal) => {
    if (!isJobName(job.name)) throw new UnrecoverableError(`unknown job name ${job.name}`);
    return run(handlers, job.name, { job, token, signal });
  };
}
