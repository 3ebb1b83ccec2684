// The job queue as src/ sees it: what the CLI, the HTTP server and the status report ask
// of it. jobs/ implements it (jobs/job-queue.ts) and the entry point (bin/mpsync.js)
// hands it in, so src/ never imports jobs/.
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { AccountConfig } from "./config/config.ts";
import type { Metrics } from "./metrics/registry.ts";
import type { Runtime } from "./runtime.ts";
import type { RunProgress, RunResult, Source, SyncMode, SyncTrigger } from "./sync/types.ts";

export interface RunRequest {
  appId: string;
  source: Source;
  mode: SyncMode;
  trigger: SyncTrigger;
}

export interface Enqueued {
  appId: string;
  source: Source;
  jobId: string;
  /** queued: a new pending run; merged: an equal or fuller run was already pending; upgraded: the pending incremental run became full */
  outcome: "queued" | "merged" | "upgraded";
}

/** What the queue knows about one (account, source). */
export interface TargetQueueStatus {
  appId: string;
  source: Source;
  pendingJobId: string | null;
  activeJobId: string | null;
  nextIncremental: string | null;
  nextFull: string | null;
}

/** What a sync job's progress holds while it runs (read by `mpsync sync --wait` and the dashboard). */
export type SyncJobProgress = RunProgress & { appId: string; mode: string };

/** A sync job's return value: the run's result, and where the worker wrote it (host:port/dbname). */
export type SyncJobResult = RunResult & { database: string };

/** A job as a follower sees it. */
export interface JobView {
  /** BullMQ's state: completed, failed, active, delayed, waiting, prioritized, … */
  state: string;
  progress: unknown;
  /** the processor's return value once completed */
  result: unknown;
  failedReason: string;
  attemptsMade: number;
}

export interface JobQueue {
  /** asks for a run: at most one pending per (account, source), however often asked */
  enqueue(request: RunRequest): Promise<Enqueued>;
  /** jobs by state (metrics, /admin/runs) */
  counts(): Promise<Record<string, number>>;
  /** pending, active and next scheduled runs of every source of these accounts */
  targets(accounts: AccountConfig[]): Promise<TargetQueueStatus[]>;
  job(jobId: string): Promise<JobView | null>;
  /** the BullMQ queue itself, for the dashboard */
  readonly bull: Queue;
  close(): Promise<void>;
}

export interface WorkerHandle {
  queue: JobQueue;
  /** true while this worker fetches jobs and its Redis connection is up (readiness) */
  consuming(): boolean;
  /** abort running syncs (each saves its checkpoint after the current page) and stop within `timeoutMs` */
  shutdown(timeoutMs: number): Promise<{ timedOut: boolean }>;
  /** reads the accounts again and re-plans when they changed (SIGHUP) */
  reload(): Promise<{ changed: boolean }>;
  /** asks for a media pass of these accounts (all when null) now, rather than after their next sync run */
  requestMedia(appIds: string[] | null): Promise<void>;
  /** queues the processing of a stored publish job (message push: /wechat/push) */
  enqueuePush(publishJobId: bigint): Promise<void>;
}

export interface Jobs {
  /** a producer's handle over `connection` (closing it leaves the connection to its owner) */
  openQueue(connection: Redis, prefix: string): JobQueue;
  /**
   * consumes the queue in this process and runs the planner unless `schedules` is false;
   * `loadAccounts` reads the accounts again (within a minute of a change, or on reload())
   */
  startWorker(runtime: Runtime, opts: { metrics?: Metrics; schedules?: boolean; loadAccounts?: () => AccountConfig[] }): Promise<WorkerHandle>;
}
