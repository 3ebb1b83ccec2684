// The one retry policy, on p-retry. Transient failures back off exponentially with
// jitter, bounded in attempts and total time; 45011 waits for the next minute (a bounded
// number of times); a token error gets exactly one retry after compare-and-refresh;
// everything else fails at once. Every path is bounded.
import pRetry from "p-retry";
import { RateLimitedError, TokenInvalidError, TransientError, WeChatError } from "./errors.ts";
import { sleep } from "./sleep.ts";

export interface RetryOptions {
  /** attempts for transient failures, the first included (default 5) */
  maxAttempts?: number;
  /** first backoff delay; doubles each time, randomised ×1..2 (default 1000) */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** no retry starts after this long since the call began (default 90 s: one wait for the next minute fits) */
  maxTotalMs?: number;
  /** how many times a call waits out 45011 (default 2) */
  rateLimitMaxWaits?: number;
  /** how long to wait after 45011; default: until the next minute boundary */
  rateLimitDelayMs?: (nowMs: number) => number;
}

export type RetryPolicy = Required<RetryOptions>;

export function untilNextMinute(nowMs: number): number {
  return 60_000 - (nowMs % 60_000) + 100;
}

export function retryPolicy(o: RetryOptions = {}): RetryPolicy {
  return {
    maxAttempts: o.maxAttempts ?? 5,
    minDelayMs: o.minDelayMs ?? 1_000,
    maxDelayMs: o.maxDelayMs ?? 30_000,
    maxTotalMs: o.maxTotalMs ?? 90_000,
    rateLimitMaxWaits: o.rateLimitMaxWaits ?? 2,
    rateLimitDelayMs: o.rateLimitDelayMs ?? untilNextMinute,
  };
}

export interface RetryHooks {
  /** called once, on the first token error, before the retry: compare-and-refresh */
  onTokenError(err: WeChatError): Promise<void>;
  onAttemptFailed?(err: WeChatError, attempt: number): void;
}

export async function withRetry<T>(policy: RetryPolicy, hooks: RetryHooks, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  if (policy.maxAttempts < 1) throw new RangeError("retry.maxAttempts must be at least 1");
  const started = performance.now();
  let tokenRetries = 0;
  let rateLimitWaits = 0;
  let transientFailures = 0;
  return pRetry(fn, {
    // one spare: the transient limit is enforced below, so p-retry's count never cuts
    // short the token retry or a rate-limit wait that comes after transient failures
    retries: policy.maxAttempts,
    factor: 2,
    minTimeout: policy.minDelayMs,
    maxTimeout: policy.maxDelayMs,
    randomize: true,
    maxRetryTime: policy.maxTotalMs,
    signal,
    // Decisions live here: throwing ends the retries with that error.
    onFailedAttempt: async ({ error, attemptNumber }) => {
      if (signal?.aborted) throw signal.reason;
      if (!(error instanceof WeChatError)) throw error;
      if (error instanceof TransientError) {
        if (++transientFailures >= policy.maxAttempts) throw error;
      } else if (error instanceof TokenInvalidError) {
        if (tokenRetries++ >= 1) throw error;
        await hooks.onTokenError(error);
      } else if (error instanceof RateLimitedError) {
        const wait = policy.rateLimitDelayMs(Date.now());
        const left = policy.maxTotalMs - (performance.now() - started);
        if (rateLimitWaits++ >= policy.rateLimitMaxWaits || wait >= left) throw error;
        await sleep(wait, signal);
      } else {
        throw error;
      }
      hooks.onAttemptFailed?.(error, attemptNumber);
    },
    // only transient failures use up attempts and grow the backoff
    shouldConsumeRetry: ({ error }) => error instanceof TransientError,
  });
}
