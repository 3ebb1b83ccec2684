// Sync-level failures. Jobs and the CLI decide by class, never by message.

/** Another process runs this (account, source) right now. */
export class SyncLockedError extends Error {
  override readonly name = "SyncLockedError";
  constructor(readonly appId: string, readonly source: string) {
    super(`a sync of ${appId} ${source} is already running in another process`);
  }
}

/** The account hit WeChat's daily quota (45009); no run starts before `until`. */
export class AccountThrottledError extends Error {
  override readonly name = "AccountThrottledError";
  constructor(readonly appId: string, readonly until: Date) {
    super(`account ${appId} is throttled by WeChat's daily quota (45009) until ${until.toISOString()}`);
  }
}

/** The run stopped on request (shutdown); its checkpoint is saved and the next attempt resumes it. */
export class SyncAbortedError extends Error {
  override readonly name = "SyncAbortedError";
  constructor(readonly runId: string) {
    super(`sync run ${runId} stopped on request; it resumes from its checkpoint`);
  }
}

/** The account is not in the configuration. */
export class UnknownAccountError extends Error {
  override readonly name = "UnknownAccountError";
  constructor(readonly appId: string) {
    super(`account ${appId} is not configured (WECHAT_APP_ID or MPSYNC_ACCOUNTS_FILE)`);
  }
}

/** One (account, source) of a multi-source sync failed; the message names both and the cause. */
export class SyncTargetFailedError extends Error {
  override readonly name = "SyncTargetFailedError";
  constructor(readonly appId: string, readonly source: string, override readonly cause: unknown, readonly others = 0) {
    super(
      `sync of account ${appId} source ${source} failed: ${cause instanceof Error ? cause.message : String(cause)}` +
        (others > 0 ? ` (and ${others} more source(s) failed)` : ""),
    );
  }
}

/**
 * The connection holding the run's (account, source) lock ended, so another process may
 * start this source: the walk stopped after its current page and the run is recorded
 * failed; the next attempt resumes from its checkpoint.
 */
export class SyncLockLostError extends Error {
  override readonly name = "SyncLockLostError";
  constructor(readonly appId: string, readonly source: string, readonly runId: string, options?: { cause?: unknown }) {
    // the lock's connection is a Postgres session: its cause names a database that went away
    const why = options?.cause instanceof Error ? ` (${options.cause.message})` : "";
    super(`sync run ${runId} of ${appId} ${source} lost its lock${why} and stopped; it resumes from its checkpoint`, options);
  }
}

/**
 * The day's budget of an API (its daily limit less the reserve kept for the owner's other
 * systems) has no room for the next call: the run stops at its checkpoint (sync_runs status
 * paused) and resumes from it at `resumeAt`, after the quota resets.
 */
export class QuotaPausedError extends Error {
  override readonly name = "QuotaPausedError";
  constructor(
    readonly appId: string,
    readonly source: string,
    readonly api: string,
    readonly used: number,
    readonly limit: number,
    readonly reserve: number,
    readonly resumeAt: Date,
  ) {
    super(`${appId} ${source}: daily quota of ${api} used ${used}/${limit} (reserve ${reserve}); paused until ${resumeAt.toISOString()}`);
  }
}
