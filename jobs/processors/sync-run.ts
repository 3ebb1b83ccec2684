// Processor of "sync-run": take the active slot, release the pending one, run the engine,
// report progress per page, and turn a failure into retry, delay or final failure.
import { DelayedError, UnrecoverableError } from "bullmq";
import type { Redis } from "ioredis";
import type { SyncJobProgress, SyncJobResult } from "../../src/job-queue.ts";
import type { RunResult, SyncEngine } from "../../src/sync/types.ts";
import { QuotaPausedError } from "../../src/sync/errors.ts";
import { zeroCounters } from "../../src/store/run-counters.ts";
import { planMember, setDue } from "../../src/planner/plan.ts";
import { claimActiveRun } from "../active-run.ts";
import { parsePayload, type SyncRunPayload } from "../catalog.ts";
import type { JobContext } from "../dispatch.ts";
import { decideFailure, LOCKED_RETRY_MS } from "../retry-policy.ts";
import type { SyncQueue } from "../queue.ts";

export interface SyncRunDeps {
  engine: SyncEngine;
  queue: SyncQueue;
  redis: Redis;
  prefix: string;
  /** where this worker writes (host:port/dbname): `sync --wait` names it when it is not the caller's */
  database: string;
  onResult?(result: RunResult, appId: string): void;
  onFailure?(error: unknown, appId: string, source: string, mode: string): void;
}

export async function processSyncRun(deps: SyncRunDeps, payload: SyncRunPayload, { job, token, signal }: JobContext): Promise<SyncJobResult> {
  let data = payload;
  const active = await claimActiveRun(deps.redis, deps.prefix, data.appId, data.source, job.id!);
  if (!active) {
    // another run of this (account, source) is active: stay the pending one
    await job.moveToDelayed(Date.now() + LOCKED_RETRY_MS, token);
    throw new DelayedError();
  }
  try {
    await job.removeDeduplicationKey();
    // a full request may have upgraded this job while it was pending (jobs/enqueue.ts)
    const fresh = await deps.queue.getJob(job.id!);
    if (fresh) data = parsePayload("sync-run", fresh.data);
    try {
      const result = await deps.engine.run({
        ...data,
        jobId: job.id!,
        signal,
        onProgress: (p) => void job.updateProgress({ ...p, appId: data.appId, mode: data.mode } satisfies SyncJobProgress).catch(() => {}),
      });
      if (!result.alreadySucceeded) deps.onResult?.(result, data.appId);
      return { ...result, database: deps.database };
    } catch (e) {
      deps.onFailure?.(e, data.appId, data.source, data.mode);
      if (e instanceof QuotaPausedError) {
        // the planner resumes it from its checkpoint after the reset; the job itself is done
        await setDue(deps.redis, deps.prefix, planMember(data.appId, data.source, data.mode), e.resumeAt.getTime());
        return { ...pausedResult(e, data.mode), database: deps.database };
      }
      const next = decideFailure(e);
      if (next.action === "delay") {
        await job.moveToDelayed(next.until.getTime(), token);
        throw new DelayedError();
      }
      if (next.action === "fail") throw new UnrecoverableError(e instanceof Error ? e.message : String(e));
      throw e;
    }
  } finally {
    await active.release();
  }
}

/** What a job paused by the daily quota returns (its sync_runs row says the same). */
function pausedResult(e: QuotaPausedError, mode: string): RunResult & { resumeAt: string } {
  return {
    ...zeroCounters(),
    runs: 1,
    alreadySucceeded: false,
    runId: "",
    source: e.source as RunResult["source"],
    mode: mode as RunResult["mode"],
    status: "paused",
    durationMs: 0,
    consistencyNote: null,
    deletionsHeld: 0,
    errorCode: null,
    errorMessage: e.message,
    resumeAt: e.resumeAt.toISOString(),
  };
}
