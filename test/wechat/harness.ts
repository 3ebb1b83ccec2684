// Shared setup of the client tests: a simulator over real HTTP, clients with tiny retry
// delays, and an observer that records every request and token refresh.
import { Writable } from "node:stream";
import type { Redis } from "ioredis";
import type { AccountConfig } from "../../src/config/config.ts";
import { createLogger, type Logger } from "../../src/logging/logger.ts";
import { AccountRejectedError, UnexpectedResponseError, type WeChatError } from "../../src/wechat/errors.ts";
import { createWeChatClient, type ClosableWeChatClient, type CreateWeChatClientOptions, type RequestEvent } from "../../src/wechat/index.ts";

export const APP = { appId: "wxclienttest00001", secret: "sEcReT-app-4f9a1c7d2e" };
export const COMPONENT = {
  appId: "wxcomponent000001",
  secret: "sEcReT-component-88b1",
  verifyTicket: "ticket@@@verify-77aa",
  authorizers: [{ appId: "wxauthorizer00001", refreshToken: "refreshtoken@@@initial-01" }],
};

const schedule = { incrementalEveryMinutes: 15, fullCron: "0 3 * * *", enabled: true };

export function account(tokenKind: "stable" | "legacy" = "stable", appSecret = APP.secret): AccountConfig {
  return { appId: APP.appId, tokenKind, appSecret, concurrency: 2, schedule };
}

export function authorizerAccount(): AccountConfig {
  const a = COMPONENT.authorizers[0]!;
  return {
    appId: a.appId,
    tokenKind: "authorizer",
    componentAppId: COMPONENT.appId,
    componentAppSecret: COMPONENT.secret,
    componentVerifyTicket: COMPONENT.verifyTicket,
    authorizerRefreshToken: a.refreshToken,
    concurrency: 2,
    schedule,
  };
}

export interface Recorder {
  requests: RequestEvent[];
  refreshes: { appId: string; kind: string }[];
}

/** Small, deterministic-enough retry settings: tests assert counts, never durations. */
export const FAST_RETRY = { minDelayMs: 2, maxDelayMs: 10, maxTotalMs: 10_000, rateLimitDelayMs: () => 5 };

export function makeClient(
  base: { url: string; redis: Redis; prefix: string },
  over: Partial<CreateWeChatClientOptions> & { logger?: Logger } = {},
): ClosableWeChatClient & { recorder: Recorder } {
  const recorder: Recorder = { requests: [], refreshes: [] };
  const client = createWeChatClient({
    account: account(),
    baseUrl: base.url,
    redis: base.redis,
    redisPrefix: base.prefix,
    logger: createLogger("silent"),
    retry: FAST_RETRY,
    tokens: { pollMs: 5 },
    observer: { onRequest: (e) => recorder.requests.push(e), onTokenRefresh: (e) => recorder.refreshes.push(e) },
    ...over,
  });
  return Object.assign(client, { recorder });
}

/** A logger writing every line (level trace) into memory. */
export function memoryLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      cb();
    },
  });
  return { logger: createLogger("trace", stream), lines };
}

/** The rejection of a promise (fails the test when it resolves). */
export async function rejectionOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the call to fail");
}

/** errcodes that fail at once, with the class each must map to (the expectation, written out). */
export const FAIL_AT_ONCE: [number, string, abstract new (...a: never[]) => WeChatError][] = [
  [40013, "AccountRejectedError", AccountRejectedError],
  [40125, "AccountRejectedError", AccountRejectedError],
  [40164, "AccountRejectedError", AccountRejectedError],
  [89503, "AccountRejectedError", AccountRejectedError],
  [61023, "AccountRejectedError", AccountRejectedError],
  [48001, "AccountRejectedError", AccountRejectedError],
  [48004, "AccountRejectedError", AccountRejectedError],
  [50001, "AccountRejectedError", AccountRejectedError],
  [50002, "AccountRejectedError", AccountRejectedError],
  [45106, "AccountRejectedError", AccountRejectedError],
  [40007, "UnexpectedResponseError", UnexpectedResponseError],
];
