// errcode → error class: the single table every errcode answer goes through. The class
// is the behaviour (errors.ts); an errcode not listed fails at once.
import {
  AccountRejectedError,
  QuotaExhaustedError,
  RateLimitedError,
  TokenInvalidError,
  TransientError,
  UnexpectedResponseError,
  ArticleNotFoundError,
  type WeChatError,
  type WeChatErrorDetails,
} from "./errors.ts";
import { scrubSecrets } from "../logging/logger.ts";

type ApiErrorClass = new (message: string, d: WeChatErrorDetails) => WeChatError;

const TABLE = new Map<number, ApiErrorClass>([
  [-1, TransientError],
  [40001, TokenInvalidError],
  [40014, TokenInvalidError],
  [42001, TokenInvalidError],
  [45011, RateLimitedError],
  [45009, QuotaExhaustedError],
  [40013, AccountRejectedError],
  [40125, AccountRejectedError],
  [40164, AccountRejectedError],
  [89503, AccountRejectedError],
  [61023, AccountRejectedError],
  [48001, AccountRejectedError],
  [48004, AccountRejectedError],
  [50001, AccountRejectedError],
  [50002, AccountRejectedError],
  [45106, AccountRejectedError],
  [53600, ArticleNotFoundError],
]);

/** errmsg without WeChat's ` rid: …` / ` hint: […]` suffixes (they differ per request). */
export function cleanErrmsg(errmsg: unknown): string {
  if (typeof errmsg !== "string") return "";
  const cut = errmsg.search(/\s*(?:,\s*)?\b(?:rid|hint):/);
  return scrubSecrets((cut >= 0 ? errmsg.slice(0, cut) : errmsg).trim());
}

export function apiError(errcode: number, errmsg: unknown, endpoint: string, appId?: string): WeChatError {
  const Cls = TABLE.get(errcode) ?? UnexpectedResponseError;
  const msg = cleanErrmsg(errmsg);
  return new Cls(`WeChat ${endpoint} failed with errcode ${errcode} (${msg})${appId ? ` for appId ${appId}` : ""}`, { endpoint, errcode, errmsg: msg, appId });
}
