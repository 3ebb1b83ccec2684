// Third-party platform: a component token (itself shared through Redis), then the
// authorizer's token from its refresh token. WeChat may hand back a new refresh token
// each time; it is stored in Redis because config only holds the first one, and losing
// the current one means the account owner must authorize again.
import type { CallContext, RequestCounter } from "../call.ts";
import { callJson } from "../call.ts";
import { TokenInvalidError } from "../errors.ts";
import { ENDPOINTS } from "../endpoints.ts";
import { readAuthorizerToken, readComponentToken } from "../responses.ts";
import type { StoredValue } from "./cache.ts";
import type { TokenFetcher, TokenProvider } from "./provider.ts";

const COMPONENT_TOKEN_ENDPOINT = ENDPOINTS.componentToken;
const AUTHORIZER_TOKEN_ENDPOINT = ENDPOINTS.authorizerToken;

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
    return readComponentToken(body);
  };
}

export function authorizerTokenFetcher(
  ctx: CallContext,
  args: { appId: string; componentAppId: string; initialRefreshToken: string; refreshToken: StoredValue; component: TokenProvider },
): TokenFetcher {
  const exchange = (counter: RequestCounter, componentToken: string, refreshToken: string, signal?: AbortSignal) =>
    callJson(ctx, args.appId, counter, {
      method: "POST",
      endpoint: AUTHORIZER_TOKEN_ENDPOINT,
      query: { component_access_token: componentToken },
      body: { component_appid: args.componentAppId, authorizer_appid: args.appId, authorizer_refresh_token: refreshToken },
      signal,
    });
  return async (counter, signal) => {
    const refreshToken = (await args.refreshToken.get()) ?? args.initialRefreshToken;
    let componentToken = await args.component.getToken(counter, signal);
    let body;
    try {
      body = await exchange(counter, componentToken, refreshToken, signal);
    } catch (e) {
      if (!(e instanceof TokenInvalidError)) throw e;
      // the component token is a credential of its own: compare-and-refresh it, once
      await args.component.invalidate(componentToken);
      componentToken = await args.component.getToken(counter, signal);
      body = await exchange(counter, componentToken, refreshToken, signal);
    }
    const answer = readAuthorizerToken(body);
    // store the rotated refresh token before using the access token: losing it means re-authorization
    if (answer.refreshToken && answer.refreshToken !== refreshToken) await args.refreshToken.set(answer.refreshToken);
    return { token: answer.token, expiresInSeconds: answer.expiresInSeconds };
  };
}
