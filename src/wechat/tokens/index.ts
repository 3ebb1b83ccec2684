// The token provider an account's config asks for.
import type { Redis } from "ioredis";
import type { AccountConfig } from "../../config/config.ts";
import type { Logger } from "../../logging/logger.ts";
import type { CallContext } from "../call.ts";
import { StoredValue, TokenCache } from "./cache.ts";
import { authorizerTokenFetcher, componentTokenFetcher } from "./authorizer.ts";
import { legacyTokenFetcher } from "./legacy.ts";
import { SharedTokenProvider, type TokenCacheOptions, type TokenProvider } from "./provider.ts";
import { stableTokenFetcher } from "./stable.ts";

export type { TokenProvider, TokenCacheOptions } from "./provider.ts";

export interface TokenProviderDeps {
  call: CallContext;
  redis: Redis;
  redisPrefix: string;
  logger: Logger;
  observer?: CallContext["observer"];
  options?: TokenCacheOptions;
}

/** Key of the authorizer refresh token WeChat handed out last. */
export function refreshTokenKey(redisPrefix: string, appId: string): string {
  return `${redisPrefix}:token:${appId}:refresh`;
}

export function createTokenProvider(account: AccountConfig, deps: TokenProviderDeps): TokenProvider {
  const shared = { observer: deps.observer, logger: deps.logger, options: deps.options };
  const cache = (id: string) => new TokenCache(deps.redis, deps.redisPrefix, id);
  const { appId } = account;
  switch (account.tokenKind) {
    case "stable":
    case "legacy": {
      // config validation guarantees the secret for these kinds
      const secret = account.appSecret ?? "";
      const fetcher = account.tokenKind === "stable" ? stableTokenFetcher(deps.call, appId, secret) : legacyTokenFetcher(deps.call, appId, secret);
      // a non-forcing stable_token call returns the token in use: checking the secret with it disturbs nobody
      return new SharedTokenProvider(appId, account.tokenKind, cache(appId), fetcher, { ...shared, harmlessFetch: account.tokenKind === "stable" });
    }
    case "authorizer": {
      const creds = {
        componentAppId: account.componentAppId ?? "",
        componentAppSecret: account.componentAppSecret ?? "",
        componentVerifyTicket: account.componentVerifyTicket ?? "",
      };
      const component = new SharedTokenProvider(creds.componentAppId, "component", cache(`${creds.componentAppId}:component`), componentTokenFetcher(deps.call, creds), shared);
      const fetcher = authorizerTokenFetcher(deps.call, {
        appId,
        componentAppId: creds.componentAppId,
        initialRefreshToken: account.authorizerRefreshToken ?? "",
        refreshToken: new StoredValue(deps.redis, refreshTokenKey(deps.redisPrefix, appId)),
        component,
      });
      return new SharedTokenProvider(appId, "authorizer", cache(appId), fetcher, shared);
    }
  }
}
