// HTTP to WeChat over one undici Agent (a keep-alive pool per API host), with
// timeouts and a cap on the response size counted while streaming. Errors are built
// from the endpoint path only: the query holds the access token, so no URL, query or
// undici error (which may carry the URL) ever leaves this file.
import { Agent } from "undici";
import { DEFAULT_WECHAT_MAX_RESPONSE_BYTES } from "../config/defaults.ts";
import { ResponseTooLargeError, TransportError } from "./errors.ts";
import type { RequestSlots } from "./types.ts";

export interface TransportOptions {
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  /** sockets per API host */
  connections?: number;
  /** AppConfig.wechatMaxResponseBytes (WECHAT_MAX_RESPONSE_BYTES) */
  maxResponseBytes?: number;
}

export interface HttpRequest {
  method: "GET" | "POST";
  /** path without query, e.g. /cgi-bin/freepublish/batchget; the only part used in errors */
  endpoint: string;
  query?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal;
  /** see CallOptions.slots */
  slots?: RequestSlots;
}

export interface HttpResponse {
  status: number;
  body: Uint8Array;
}

export class Transport {
  readonly maxResponseBytes: number;
  private readonly agent: Agent;
  private readonly origin: string;
  private readonly basePath: string;

  constructor(baseUrl: string, opts: TransportOptions = {}) {
    const url = new URL(baseUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, "");
    this.maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_WECHAT_MAX_RESPONSE_BYTES;
    this.agent = new Agent({
      connect: { timeout: opts.connectTimeoutMs ?? 10_000 },
      headersTimeout: opts.headersTimeoutMs ?? 30_000,
      bodyTimeout: opts.bodyTimeoutMs ?? 60_000,
      keepAliveTimeout: opts.keepAliveTimeoutMs ?? 30_000,
      connections: opts.connections ?? 16,
    });
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const { endpoint, signal } = req;
    const qs = req.query ? `?${new URLSearchParams(req.query).toString()}` : "";
    let res;
    try {
      res = await this.agent.request({
        origin: this.origin,
        path: `${this.basePath}${endpoint}${qs}`,
        method: req.method,
        headers: req.body === undefined ? {} : { "content-type": "application/json" },
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal,
      });
    } catch (e) {
      throw wrapFailure(e, endpoint, null, signal);
    }
    const { statusCode: status, body } = res;
    const declared = Number(res.headers["content-length"]);
    if (Number.isFinite(declared) && declared > this.maxResponseBytes) {
      discard(body);
      throw new ResponseTooLargeError(endpoint, this.maxResponseBytes);
    }
    if (status < 200 || status >= 300) {
      await body.dump().catch(() => {});
      throw new TransportError(`WeChat ${endpoint} answered HTTP ${status}`, endpoint, status);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > this.maxResponseBytes) {
          discard(body);
          throw new ResponseTooLargeError(endpoint, this.maxResponseBytes);
        }
        chunks.push(chunk);
      }
    } catch (e) {
      if (e instanceof ResponseTooLargeError) throw e;
      throw wrapFailure(e, endpoint, status, signal);
    }
    return { status, body: Buffer.concat(chunks, total) };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** Stops reading a body; undici reports the abort as an 'error' event, which is expected here. */
function discard(body: { on(event: "error", fn: () => void): unknown; destroy(): unknown }): void {
  body.on("error", () => {});
  body.destroy();
}

/** A secret-free TransportError; the cause keeps only the error's name and code. */
function wrapFailure(e: unknown, endpoint: string, status: number | null, signal?: AbortSignal): unknown {
  // an abort by the caller is not a transport failure: let it through untouched
  if (signal?.aborted) return signal.reason;
  const err = e as { name?: string; code?: string };
  const code = typeof err?.code === "string" ? err.code : typeof err?.name === "string" ? err.name : "error";
  const cause = Object.assign(new Error(code), { name: err?.name ?? "Error", code });
  return new TransportError(`WeChat ${endpoint} request failed (${code})`, endpoint, status, { cause });
}
