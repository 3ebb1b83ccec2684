// errcode → error class and kind: the single table every response goes through.
import {
  ApiRetiredError,
  ConfigurationError,
  ForbiddenError,
  QuotaExhaustedError,
  RateLimitedError,
  SystemBusyError,
  TokenInvalidError,
  WeChatApiError,
  type ErrorKind,
} from "./errors.ts";
import { scrubSecrets } from "../logging/logger.ts";

type ApiErrorClass = new (errcode: number, errmsg: string, endpoint: string, kind: ErrorKind, appId?: string) => WeChatApiError;

const TABLE = new Map<number, [ErrorKind, ApiErrorClass]>([
  [-1, ["transient", SystemBusyError]],
  [40001, ["token", TokenInvalidError]],
  [40014, ["token", TokenInvalidError]],
  [42001, ["token", TokenInvalidError]],
  [45011, ["rate-limited", RateLimitedError]],
  [45009, ["quota-exhausted", QuotaExhaustedError]],
  [40013, ["configuration", ConfigurationError]],
  [40125, ["configuration", ConfigurationError]],
  [40164, ["configuration", ConfigurationError]],
  [89503, ["configuration", ConfigurationError]],
  [61023, ["configuration", ConfigurationError]],
  [48001, ["forbidden", ForbiddenError]],
  [48004, ["forbidden", ForbiddenError]],
  [50001, ["forbidden", ForbiddenError]],
  [50002, ["forbidden", ForbiddenError]],
  [45106, ["retired", ApiRetiredError]],
]);

export function errcodeKind(errcode: number): ErrorKind {
  return TABLE.get(errcode)?.[0] ?? "other";
}

/** errmsg without WeChat's ` rid: …` / ` hint: […]` suffixes (they differ per request). */
export function cleanErrmsg(errmsg: unknown): string {
  if (typeof errmsg !== "string") return "";
  const cut = errmsg.search(/\s*(?:,\s*)?\b(?:rid|hint):/);
  return scrubSecrets((cut >= 0 ? errmsg.slice(0, cut) : errmsg).trim());
}

export function apiError(errcode: number, errmsg: unknown, endpoint: string, appId?: string): WeChatApiError {
  const [kind, Cls] = TABLE.get(errcode) ?? (["other", WeChatApiError] as const);
  return new Cls(errcode, cleanErrmsg(errmsg), endpoint, kind, appId);
}
