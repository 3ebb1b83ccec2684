// GET /cgi-bin/token: every call issues a new token and retires the previous one, which
// is why it must only ever be fetched under the shared lock (see provider.ts).
import type { CallContext } from "../call.ts";
import { callJson } from "../call.ts";
import { validate } from "../parse.ts";
import { accessTokenSchema } from "../schemas.ts";
import type { TokenFetcher } from "./provider.ts";

export const LEGACY_TOKEN_ENDPOINT = "/cgi-bin/token";

export function legacyTokenFetcher(ctx: CallContext, appId: string, secret: string): TokenFetcher {
  return async (counter, signal) => {
    const body = await callJson(ctx, appId, counter, {
      method: "GET",
      endpoint: LEGACY_TOKEN_ENDPOINT,
      query: { grant_type: "client_credential", appid: appId, secret },
      signal,
    });
    const r = validate(accessTokenSchema, body, LEGACY_TOKEN_ENDPOINT);
    return { token: r.access_token, expiresInSeconds: r.expires_in };
  };
}
