// One taxonomy of WeChat failures. Callers decide by class or `kind`, never by message.

export type ErrorKind =
  | "transient" // -1, HTTP 5xx, timeouts, resets, unparsable body: retry with backoff
  | "token" // 40001, 40014, 42001: refresh the token (compare-and-refresh), retry once
  | "rate-limited" // 45011: wait for the next minute
  | "quota-exhausted" // 45009: stop this account until the quota resets
  | "configuration" // 40013, 40125, 40164, 89503, 61023: an operator must fix settings
  | "forbidden" // 48001, 48004, 50001, 50002: the account may not call this API
  | "retired" // 45106: the API no longer exists
  | "malformed" // a response that parsed but does not have the shape we rely on
  | "other"; // any other errcode: fail at once

export class WeChatError extends Error {
  override name = "WeChatError";
  constructor(
    message: string,
    readonly kind: ErrorKind,
    readonly errcode: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An errcode answer from WeChat. `errmsg` has its ` rid:`/` hint:` suffixes removed. */
export class WeChatApiError extends WeChatError {
  override name = "WeChatApiError";
  declare readonly errcode: number;
  constructor(
    errcode: number,
    readonly errmsg: string,
    readonly endpoint: string,
    kind: ErrorKind,
    /** the account (or third-party component) the call was made for; never a secret */
    readonly appId?: string,
  ) {
    super(`WeChat ${endpoint} failed with errcode ${errcode} (${errmsg})${appId ? ` for appId ${appId}` : ""}`, kind, errcode);
  }
}

export class TokenInvalidError extends WeChatApiError {
  override name = "TokenInvalidError";
}
export class RateLimitedError extends WeChatApiError {
  override name = "RateLimitedError";
}
export class QuotaExhaustedError extends WeChatApiError {
  override name = "QuotaExhaustedError";
}
export class ConfigurationError extends WeChatApiError {
  override name = "ConfigurationError";
}
export class ForbiddenError extends WeChatApiError {
  override name = "ForbiddenError";
}
export class ApiRetiredError extends WeChatApiError {
  override name = "ApiRetiredError";
}
export class SystemBusyError extends WeChatApiError {
  override name = "SystemBusyError";
}

/** Network failure, timeout, HTTP 5xx or a body that is not JSON: worth retrying. */
export class TransportError extends WeChatError {
  override name = "TransportError";
  constructor(
    message: string,
    readonly endpoint: string,
    readonly status: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, "transient", null, options);
  }
}

/** Response body larger than the configured cap. Not retried: it would be as large again. */
export class ResponseTooLargeError extends WeChatError {
  override name = "ResponseTooLargeError";
  constructor(readonly endpoint: string, readonly limitBytes: number) {
    super(`WeChat ${endpoint} response exceeds the ${limitBytes}-byte limit (WECHAT_MAX_RESPONSE_BYTES)`, "malformed", null);
  }
}

/** A JSON response without a field we rely on; `field` names it (e.g. item[3].article_id). */
export class MalformedResponseError extends WeChatError {
  override name = "MalformedResponseError";
  constructor(readonly endpoint: string, readonly field: string, detail: string) {
    super(`WeChat ${endpoint} returned a malformed response: ${field} ${detail}`, "malformed", null);
  }
}

/** No token became available in time (another process holds the refresh lock and did not finish). */
export class TokenUnavailableError extends WeChatError {
  override name = "TokenUnavailableError";
  constructor(readonly appId: string, waitedMs: number) {
    super(`no access token for appId ${appId} became available within ${waitedMs} ms`, "transient", null);
  }
}
