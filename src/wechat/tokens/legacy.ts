// GET /cgi-bin/token: every call issues a new token and retires the previous one, which
// is why it must only ever be fetched under the shared lock (see provider.ts).
import type { CallContext } from "../call.ts";
import { callJson } from "../call.ts";
import { ENDPOINTS } from "../endpoints.ts";
import { readAccessToken } from "../responses.ts";
import type { TokenFetcher } from "./provider.ts";

const LEGACY_TOKEN_ENDPOINT = ENDPOINTS.legacyToken;

export function legacyTokenFetcher(ctx: CallContext, appId: string, secret: string): TokenFetcher {
  return async (counter, signal) => {
    const body = await callJson(ctx, appId, counter, {
      method: "GET",
      endpoint: LEGACY_TOKEN_ENDPOINT,
      query: { grant_type: "client_credential", appid: appId, secret },
      signal,
    });
    return readAccessToken(body, LEGACY_TOKEN_ENDPOINT);
  };
}
