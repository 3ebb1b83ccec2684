// The sync engine's public contract, used by jobs/, the CLI and the benchmark.
import type { RunCounters } from "../store/run-counters.ts";
import { MATERIAL_TYPES } from "../wechat/types.ts";

export type { RunCounters };

/** The five lists a run walks: published articles, and permanent materials one type at a time. */
export const SOURCES = ["published", ...MATERIAL_TYPES.map((t) => `material:${t}` as const)] as const;
export type Source = (typeof SOURCES)[number];
export type SyncMode = "full" | "incremental";
/** push: the walk a message push asked for after writing the article it announced */
export type SyncTrigger = "schedule" | "manual" | "push";

export interface RunProgress extends RunCounters {
  runId: string;
  source: Source;
  /** items the list reported in total, when known */
  totalCount: number | null;
}

/**
 * A finished run. Its counters are the totals of its walk: a run resumed after an
 * interruption adds the rows before it (`runs` of them in all).
 */
export interface RunResult extends RunCounters {
  runId: string;
  /** sync_runs rows the walk took (1 when it was never interrupted) */
  runs: number;
  /** true when a redelivered job found its run already succeeded and did not run it again */
  alreadySucceeded: boolean;
  source: Source;
  mode: SyncMode;
  /** paused: stopped at its checkpoint by the daily quota (jobs report it; the engine throws QuotaPausedError) */
  status: "succeeded" | "failed" | "paused";
  durationMs: number;
  /** why a full run did not mark absences deleted, when it did not */
  consistencyNote: string | null;
  /** deletions the circuit breaker held instead of applying (full runs; see deletion-breaker.ts) */
  deletionsHeld: number;
  errorCode: number | null;
  errorMessage: string | null;
}

export interface SyncRequest {
  /** accounts.app_id of a configured account */
  appId: string;
  source: Source;
  mode: SyncMode;
  trigger: SyncTrigger;
  /** the queue job asking for this run: recorded with it, and a job whose run already succeeded is not run again */
  jobId?: string;
  /** abort: finish the current page, save the checkpoint, reject with SyncAbortedError */
  signal?: AbortSignal;
  /** called after each committed page */
  onProgress?: (p: RunProgress) => void;
  /** re-read the daily quota first (one call), even when the reading is fresh; room lifts a 45009 throttle */
  recheckQuota?: boolean;
}

/**
 * Runs syncs. `run` resolves with the finished run; when the run fails it is recorded
 * in sync_runs (status failed, error_code, error_message) and the typed error is
 * re-thrown: WeChatError subclasses (src/wechat/errors.ts, decide by behaviour class),
 * SyncLockedError, AccountThrottledError, SyncAbortedError, UnknownAccountError
 * (src/sync/errors.ts).
 */
export interface SyncEngine {
  run(req: SyncRequest): Promise<RunResult>;
}
