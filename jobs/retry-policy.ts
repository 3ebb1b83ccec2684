// What a failed run does next, decided by error class and kind (never by message).
import { z } from "zod";
import { AccountThrottledError, SyncAbortedError, SyncLockedError, UnknownAccountError } from "../src/sync/errors.ts";
import { nextQuotaReset } from "../src/sync/quota-reset.ts";
import { WeChatError, type ErrorKind } from "../src/wechat/errors.ts";

/** Another process holds the (account, source): look again after this long. */
export const LOCKED_RETRY_MS = 10_000;

export type FailureAction =
  /** rethrow: BullMQ retries with the job's backoff while attempts remain */
  | { action: "retry" }
  /** back to the queue at `until` without using an attempt */
  | { action: "delay"; until: Date }
  /** an operator must act: fail now (UnrecoverableError) */
  | { action: "fail" };

const FAIL_KINDS: ReadonlySet<ErrorKind> = new Set(["configuration", "forbidden", "retired", "malformed", "other"]);

export function decideFailure(e: unknown, now: Date = new Date()): FailureAction {
  if (e instanceof SyncAbortedError) return { action: "delay", until: now }; // shutdown: resume at once, here or elsewhere
  if (e instanceof SyncLockedError) return { action: "delay", until: new Date(now.getTime() + LOCKED_RETRY_MS) };
  if (e instanceof AccountThrottledError) return { action: "delay", until: e.until };
  if (e instanceof UnknownAccountError || e instanceof z.ZodError) return { action: "fail" };
  if (e instanceof WeChatError) {
    if (e.kind === "quota-exhausted") return { action: "delay", until: nextQuotaReset(now) };
    if (FAIL_KINDS.has(e.kind)) return { action: "fail" };
  }
  // transient, token, rate-limited, and anything unforeseen (a database hiccup): retry with backoff
  return { action: "retry" };
}
