/** Postgres cannot be reached or refused us; the message names the setting and the cause. */
export class DatabaseUnavailableError extends Error {
  override readonly name = "DatabaseUnavailableError";
  constructor(message: string, readonly code: string | undefined, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The database does not exist, was never migrated, or lacks committed migrations: every
 * command but `mpsync migrate` refuses to start, with one line saying to run it.
 */
export class DatabaseNotMigratedError extends Error {
  override readonly name = "DatabaseNotMigratedError";
  constructor(message: string, readonly pending: string[]) {
    super(message);
  }
}

/**
 * A write for a run that is no longer `running` (another process closed it, e.g. after
 * this one lost its lock): refused, and its transaction rolled back with it.
 */
export class RunNotRunningError extends Error {
  override readonly name = "RunNotRunningError";
  constructor(readonly runId: bigint, readonly status: string | null) {
    super(`sync run ${runId} is ${status ?? "gone"}, not running: its write was refused`);
  }
}
