// POST /cgi-bin/stable_token (normal mode): repeated calls return the same token, so
// processes cannot knock each other out. force_refresh is never used (20 a day, for leaks).
import type { CallContext } from "../call.ts";
import { callJson } from "../call.ts";
import { validate } from "../parse.ts";
import { accessTokenSchema } from "../schemas.ts";
import type { TokenFetcher } from "./provider.ts";

export const STABLE_TOKEN_ENDPOINT = "/cgi-bin/stable_token";

export function stableTokenFetcher(ctx: CallContext, appId: string, secret: string): TokenFetcher {
  return async (counter, signal) => {
    const body = await callJson(ctx, appId, counter, {
      method: "POST",
      endpoint: STABLE_TOKEN_ENDPOINT,
      body: { grant_type: "client_credential", appid: appId, secret, force_refresh: false },
      signal,
    });
    const r = validate(accessTokenSchema, body, STABLE_TOKEN_ENDPOINT);
    return { token: r.access_token, expiresInSeconds: r.expires_in };
  };
}
