// When a failed delivery is tried again: exponential from `baseMs` (10 s: the first retry
// comes within 30 s), doubling up to a cap of 360 × base (1 h), with as many attempts as it
// takes to keep trying for at least 8,640 × base (24 h). Then the delivery is dead.

export interface RetrySchedule {
  baseMs: number;
  /** total attempts, the first one included */
  attempts: number;
}

export const DEFAULT_RETRY_BASE_MS = 10_000;
const CAP_FACTOR = 360;
const WINDOW_FACTOR = 8_640;

/** Delay before retry number `retry` (1 = the first retry). */
export function retryDelayMs(baseMs: number, retry: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, retry - 1), baseMs * CAP_FACTOR);
}

/** Attempts needed so that the retries span at least the window. */
export function retrySchedule(baseMs = DEFAULT_RETRY_BASE_MS): RetrySchedule {
  let total = 0;
  let retries = 0;
  while (total < baseMs * WINDOW_FACTOR) total += retryDelayMs(baseMs, ++retries);
  return { baseMs, attempts: retries + 1 };
}
