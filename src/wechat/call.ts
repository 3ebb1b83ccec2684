// One HTTP request to WeChat and its JSON answer: counts the request, reports it to the
// observer and the log, and turns an errcode into its typed error. Used by the list
// calls and the token fetchers alike, so every request is seen the same way.
import type { Logger } from "../logging/logger.ts";
import { apiError } from "./errcodes.ts";
import { MalformedResponseError } from "./errors.ts";
import { parseJsonBody } from "./parse.ts";
import type { HttpRequest, Transport } from "./transport.ts";
import type { ClientObserver } from "./types.ts";

export interface CallContext {
  transport: Transport;
  observer?: ClientObserver;
  logger: Logger;
}

/** Requests made on behalf of one client call (retries and token fetches included). */
export interface RequestCounter {
  requests: number;
}

export async function callJson(
  ctx: CallContext,
  appId: string,
  counter: RequestCounter,
  req: HttpRequest,
): Promise<Record<string, unknown>> {
  const started = performance.now();
  let status: number | null = null;
  let errcode: number | null = null;
  counter.requests++;
  try {
    const res = await (req.slots ? req.slots.run(() => ctx.transport.request(req)) : ctx.transport.request(req));
    status = res.status;
    const json = parseJsonBody(res.body, req.endpoint, status);
    if (json === null || typeof json !== "object" || Array.isArray(json)) {
      throw new MalformedResponseError(req.endpoint, "(body)", "is not a JSON object");
    }
    const body = json as Record<string, unknown>;
    const code = body.errcode;
    errcode = typeof code === "number" ? code : typeof code === "string" && /^-?\d+$/.test(code) ? Number(code) : 0;
    if (errcode !== 0) throw apiError(errcode, body.errmsg, req.endpoint, appId);
    return body;
  } finally {
    const durationMs = performance.now() - started;
    ctx.observer?.onRequest?.({ appId, endpoint: req.endpoint, errcode, status, durationMs });
    ctx.logger.debug({ appId, endpoint: req.endpoint, status, errcode, durationMs: Math.round(durationMs) }, "wechat request");
  }
}
