// WeChat failures: one class per behaviour (bullmq's style). Every caller decides with
// `instanceof` on the behaviour classes below, never by message or errcode:
//
//   TransientError         retry with backoff (client, then job)
//   TokenInvalidError      refresh the token (compare-and-refresh), retry once
//   RateLimitedError       wait for the next minute
//   QuotaExhaustedError    stop the account until the daily quota resets
//   AccountRejectedError   fail; an operator must fix the account (recorded on it)
//   UnexpectedResponseError fail at once; a retry would get the same answer
//
// A subclass exists only where a cause carries fields of its own (TransportError.status,
// MalformedResponseError.field, …); it inherits its behaviour and is never tested apart.
// Which errcode gets which class is decided in one table: errcodes.ts.

export interface WeChatErrorDetails {
  endpoint: string;
  /** WeChat's errcode when it answered with one */
  errcode?: number | null;
  /** WeChat's errmsg without its ` rid:`/` hint:` suffixes */
  errmsg?: string | null;
  /** the account (or third-party component) the call was made for; never a secret */
  appId?: string;
  cause?: unknown;
}

export abstract class WeChatError extends Error {
  readonly endpoint: string;
  readonly errcode: number | null;
  readonly errmsg: string | null;
  readonly appId: string | undefined;
  constructor(message: string, d: WeChatErrorDetails) {
    super(message, d.cause === undefined ? undefined : { cause: d.cause });
    this.endpoint = d.endpoint;
    this.errcode = d.errcode ?? null;
    this.errmsg = d.errmsg ?? null;
    this.appId = d.appId;
  }
}

/** Worth retrying with backoff: -1 (system busy), and the subclasses' causes. */
export class TransientError extends WeChatError {
  override name = "TransientError";
}

/** Token rejected (40001, 40014, 42001): refresh it and retry once. */
export class TokenInvalidError extends WeChatError {
  override name = "TokenInvalidError";
}

/** 45011: the per-minute limit; wait for the next minute. */
export class RateLimitedError extends WeChatError {
  override name = "RateLimitedError";
}

/** 45009: the daily quota is used up; the account stops until it resets. */
export class QuotaExhaustedError extends WeChatError {
  override name = "QuotaExhaustedError";
}

/**
 * WeChat refuses this account until an operator acts: settings (40013, 40125, 40164,
 * 89503, 61023), permissions (48001, 48004, 50001, 50002) or a retired API (45106).
 */
export class AccountRejectedError extends WeChatError {
  override name = "AccountRejectedError";
}

/** An answer mpsync cannot act on and a retry would not change (e.g. an unknown errcode). */
export class UnexpectedResponseError extends WeChatError {
  override name = "UnexpectedResponseError";
}

/** 53600: freepublish/getarticle knows no such article_id (never published, or gone). */
export class ArticleNotFoundError extends UnexpectedResponseError {
  override name = "ArticleNotFoundError";
}

/** Network failure, timeout, HTTP 5xx or a body that is not JSON (no usable answer). */
export class TransportError extends TransientError {
  override name = "TransportError";
  constructor(
    message: string,
    endpoint: string,
    /** the HTTP status, when one was read */
    readonly status: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, { endpoint, cause: options?.cause });
  }
}

/** No token became available in time (another process holds the refresh lock and did not finish). */
export class TokenUnavailableError extends TransientError {
  override name = "TokenUnavailableError";
  constructor(appId: string, readonly waitedMs: number) {
    super(`no access token for appId ${appId} became available within ${waitedMs} ms`, { endpoint: "(token)", appId });
  }
}

/** A JSON response without a field we rely on; `field` names it (e.g. item[3].article_id). */
export class MalformedResponseError extends UnexpectedResponseError {
  override name = "MalformedResponseError";
  constructor(endpoint: string, readonly field: string, detail: string) {
    super(`WeChat ${endpoint} returned a malformed response: ${field} ${detail}`, { endpoint });
  }
}

/** Response body larger than the configured cap. Not retried: it would be as large again. */
export class ResponseTooLargeError extends UnexpectedResponseError {
  override name = "ResponseTooLargeError";
  constructor(endpoint: string, readonly limitBytes: number) {
    super(`WeChat ${endpoint} response exceeds the ${limitBytes}-byte limit (WECHAT_MAX_RESPONSE_BYTES)`, { endpoint });
  }
}

/** Redis, where tokens are shared, is unreachable and this process holds no valid token of its own. */
export class TokenStoreUnavailableError extends TransientError {
  override name = "TokenStoreUnavailableError";
  constructor(appId: string, readonly waitedMs: number) {
    super(`no access token for appId ${appId}: Redis (REDIS_URL), where tokens are shared, was unreachable for ${waitedMs} ms`, { endpoint: "(token)", appId });
  }
}
