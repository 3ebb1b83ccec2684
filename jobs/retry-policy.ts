// What a failed run does next, decided by error class (never by message or errcode).
import { z } from "zod";
import { AccountThrottledError, SyncAbortedError, SyncLockedError, UnknownAccountError } from "../src/sync/errors.ts";
import { nextQuotaReset } from "../src/sync/quota-reset.ts";
import { AccountRejectedError, QuotaExhaustedError, UnexpectedResponseError } from "../src/wechat/errors.ts";

/** Another process holds the (account, source): look again after this long. */
export const LOCKED_RETRY_MS = 10_000;

export type FailureAction =
  /** rethrow: BullMQ retries with the job's backoff while attempts remain */
  | { action: "retry" }
  /** back to the queue at `until` without using an attempt */
  | { action: "delay"; until: Date }
  /** an operator must act: fail now (UnrecoverableError) */
  | { action: "fail" };

export function decideFailure(e: unknown, now: Date = new Date()): FailureAction {
  if (e instanceof SyncAbortedError) return { action: "delay", until: now }; // shutdown: resume at once, here or elsewhere
  if (e instanceof SyncLockedError) return { action: "delay", until: new Date(now.getTime() + LOCKED_RETRY_MS) };
  if (e instanceof AccountThrottledError) return { action: "delay", until: e.until };
  if (e instanceof QuotaExhaustedError) return { action: "delay", until: nextQuotaReset(now) };
  if (e instanceof UnknownAccountError || e instanceof z.ZodError || e instanceof AccountRejectedError || e instanceof UnexpectedResponseError) return { action: "fail" };
  // TransientError, TokenInvalidError, RateLimitedError (the client's own retries ran out),
  // and anything unforeseen (a database hiccup): retry with backoff
  return { action: "retry" };
}
