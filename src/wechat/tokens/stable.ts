// POST /cgi-bin/stable_token (normal mode): repeated calls return the same token, so
// processes cannot knock each other out. force_refresh is never used (20 a day, for leaks).
import type { CallContext } from "../call.ts";
import { callJson } from "../call.ts";
import { ENDPOINTS } from "../endpoints.ts";
import { readAccessToken } from "../responses.ts";
import type { TokenFetcher } from "./provider.ts";

const STABLE_TOKEN_ENDPOINT = ENDPOINTS.stableToken;

export function stableTokenFetcher(ctx: CallContext, appId: string, secret: string): TokenFetcher {
  return async (counter, signal) => {
    const body = await callJson(ctx, appId, counter, {
      method: "POST",
      endpoint: STABLE_TOKEN_ENDPOINT,
      body: { grant_type: "client_credential", appid: appId, secret, force_refresh: false },
      signal,
    });
    return readAccessToken(body, STABLE_TOKEN_ENDPOINT);
  };
}
