// Third-party platform: a component token (itself shared through Redis), then the
// authorizer's token from its refresh token. WeChat may hand back a new refresh token
// each time; it is stored in Redis because config only holds the first one, and losing
// the current one means the account owner must authorize again.
import type { CallContext } from "../call.ts";
import { callJson } from "../call.ts";
import { TokenInvalidError } from "../errors.ts";
import { validate } from "../parse.ts";
import { authorizerTokenSchema, componentTokenSchema } from "../schemas.ts";
import type { StoredValue } from "./cache.ts";
import type { TokenFetcher, TokenProvider } from "./provider.ts";

export const COMPONENT_TOKEN_ENDPOINT = "/cgi-bin/component/api_component_token";
export const AUTHORIZER_TOKEN_ENDPOINT = "/cgi-bin/component/api_authorizer_token";

export interface ComponentCredentials {
  componentAppId: string;
  componentAppSecret: string;
  componentVerifyTicket: string;
}

export function componentTokenFetcher(ctx: CallContext, c: ComponentCredentials): TokenFetcher {
  return async (counter, signal) => {
    const body = await callJson(ctx, c.componentAppId, counter, {
      method: "POST",
      endpoint: COMPONENT_TOKEN_ENDPOINT,
      body: { component_appid: c.componentAppId, component_appsecret: c.componentAppSecret, component_verify_ticket: c.componentVerifyTicket },
      signal,
    });
    const r = validate(componentTokenSchema, body, COMPONENT_TOKEN_ENDPOINT);
    return { token: r.component_access_token, expiresInSeconds: r.expires_in };
  };
}

export function authorizerTokenFetcher(
  ctx: CallContext,
  args: { appId: string; componentAppId: string; initialRefreshToken: string; refreshToken: StoredValue; component: TokenProvider },
): TokenFetcher {
  return async (counter, signal) => {
    const refreshToken = (await args.refreshToken.get()) ?? args.initialRefreshToken;
    const componentToken = await args.component.getToken(counter, signal);
    let body;
    try {
      body = await callJson(ctx, args.appId, counter, {
        method: "POST",
        endpoint: AUTHORIZER_TOKEN_ENDPOINT,
        query: { component_access_token: componentToken },
        body: { component_appid: args.componentAppId, authorizer_appid: args.appId, authorizer_refresh_token: refreshToken },
        signal,
      });
    } catch (e) {
      // the component token failed: drop it so the caller's one token retry fetches a new one
      if (e instanceof TokenInvalidError) await args.component.invalidate(componentToken);
      throw e;
    }
    const r = validate(authorizerTokenSchema, body, AUTHORIZER_TOKEN_ENDPOINT);
    if (r.authorizer_refresh_token && r.authorizer_refresh_token !== refreshToken) await args.refreshToken.set(r.authorizer_refresh_token);
    return { token: r.authorizer_access_token, expiresInSeconds: r.expires_in };
  };
}
