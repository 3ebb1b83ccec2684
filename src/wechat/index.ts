// Entry point of the WeChat client: one client per account, sharing tokens through Redis.
import type { Redis } from "ioredis";
import type { AccountConfig } from "../config/config.ts";
import type { Logger } from "../logging/logger.ts";
import { WeChatApiClient } from "./client.ts";
import { retryPolicy, type RetryOptions } from "./retry.ts";
import { createTokenProvider, type TokenCacheOptions } from "./tokens/index.ts";
import { Transport, type TransportOptions } from "./transport.ts";
import type { ClientObserver, WeChatClient } from "./types.ts";

export * from "./types.ts";
export * from "./errors.ts";
export { ContradictoryResponseError } from "./contradiction.ts";
export { Transport, type TransportOptions } from "./transport.ts";
export { retryPolicy, untilNextMinute, type RetryOptions } from "./retry.ts";
export { ENDPOINTS } from "./endpoints.ts";
export type { TokenCacheOptions, TokenProvider } from "./tokens/index.ts";
export { refreshTokenKey } from "./tokens/index.ts";

export interface CreateWeChatClientOptions {
  account: AccountConfig;
  /** AppConfig.wechatBaseUrl (WECHAT_API_BASE_URL), for the transport this client creates */
  baseUrl: string;
  redis: Redis;
  /** AppConfig.redisPrefix; tokens live under `${redisPrefix}:token:<appId>` */
  redisPrefix: string;
  logger: Logger;
  observer?: ClientObserver;
  retry?: RetryOptions;
  /** settings of a transport this client creates and closes */
  transport?: TransportOptions;
  /** a transport shared by several clients (e.g. one per worker), used instead; the caller closes it */
  sharedTransport?: Transport;
  tokens?: TokenCacheOptions;
}

export interface ClosableWeChatClient extends WeChatClient {
  /** closes the HTTP pools this client created (a shared transport is left open) */
  close(): Promise<void>;
}

export function createWeChatClient(opts: CreateWeChatClientOptions): ClosableWeChatClient {
  const owned = opts.sharedTransport ? undefined : new Transport(opts.baseUrl, opts.transport);
  const transport = opts.sharedTransport ?? owned!;
  const call = { transport, observer: opts.observer, logger: opts.logger };
  const tokens = createTokenProvider(opts.account, {
    call,
    redis: opts.redis,
    redisPrefix: opts.redisPrefix,
    logger: opts.logger,
    observer: opts.observer,
    options: opts.tokens,
  });
  return new WeChatApiClient(call, tokens, retryPolicy(opts.retry), async () => {
    await owned?.close();
  });
}
