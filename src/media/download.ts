// One HTTP GET of a media URL with undici: exactly the URL given, no Referer (the CDN
// answers a foreign Referer with a placeholder image), bounded time and size, redirects
// followed a few times. Failures are typed (errors.ts).
import { Agent, errors as undiciErrors, interceptors, type Dispatcher } from "undici";
import { mediaType } from "./keys.ts";
import { MediaGoneError, MediaHostDownError, MediaRefusedError, MediaTransientError, type HostDownReason } from "./errors.ts";

export interface DownloaderOptions {
  /** sockets per CDN host */
  connections: number;
  maxBytes: number;
  /** headers, and each gap in the body */
  timeoutMs: number;
  /** the TCP/TLS connect (shorter: a host that is down is noticed fast) */
  connectTimeoutMs: number;
}

export interface Downloaded {
  bytes: Buffer;
  contentType: string;
}

const RETRYABLE_STATUS = new Set([408, 425, 429]);

export class Downloader {
  private readonly agent: Agent;
  private readonly dispatcher: Dispatcher;

  constructor(private readonly opts: DownloaderOptions) {
    this.agent = new Agent({
      connect: { timeout: opts.connectTimeoutMs },
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connections: opts.connections,
    });
    this.dispatcher = this.agent.compose(interceptors.redirect({ maxRedirections: 3 }));
  }

  /** `onAnswer`: called when the host answers with any HTTP status (the host breaker's proof of life) */
  async fetch(url: string, signal?: AbortSignal, onAnswer?: () => void): Promise<Downloaded> {
    let res: Dispatcher.ResponseData;
    try {
      const { origin } = new URL(url);
      // undici sends no Referer; none is set here on purpose
      res = await this.dispatcher.request({
        origin,
        path: url.slice(origin.length) || "/",
        method: "GET",
        headers: { accept: "image/avif,image/webp,image/*,*/*;q=0.8", "user-agent": "mpsync-media/1" },
        signal,
      });
    } catch (e) {
      if (signal?.aborted) throw e;
      const down = hostDownReason(e);
      if (down) throw new MediaHostDownError(new URL(url).host.toLowerCase(), down);
      throw new MediaTransientError(describe(e));
    }
    const { statusCode: status, body, headers } = res;
    onAnswer?.();
    if (status === 404 || status === 410) {
      await body.dump().catch(() => {});
      throw new MediaGoneError(status);
    }
    if (status >= 500 || RETRYABLE_STATUS.has(status)) {
      await body.dump().catch(() => {});
      throw new MediaTransientError(`HTTP ${status}`);
    }
    if (status < 200 || status >= 300) {
      await body.dump().catch(() => {});
      throw new MediaRefusedError(`HTTP ${status}`);
    }
    const contentType = mediaType(headerValue(headers["content-type"]));
    if (!contentType.startsWith("image/")) {
      discard(body);
      throw new MediaRefusedError(`not an image: content-type ${contentType || "(none)"}`);
    }
    const declared = Number(headerValue(headers["content-length"]));
    if (Number.isFinite(declared) && declared > this.opts.maxBytes) {
      discard(body);
      throw new MediaRefusedError(`larger than MEDIA_MAX_BYTES (${this.opts.maxBytes}): content-length ${declared}`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > this.opts.maxBytes) {
          discard(body);
          throw new MediaRefusedError(`larger than MEDIA_MAX_BYTES (${this.opts.maxBytes})`);
        }
        chunks.push(chunk);
      }
    } catch (e) {
      if (e instanceof MediaRefusedError || signal?.aborted) throw e;
      throw new MediaTransientError(describe(e));
    }
    if (total === 0) throw new MediaTransientError("empty body");
    return { bytes: Buffer.concat(chunks, total), contentType };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** Stops reading a body we refuse; the abort it causes is expected, not an error to report. */
function discard(body: Dispatcher.ResponseData["body"]): void {
  body.on("error", () => {});
  body.destroy();
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Failures before any HTTP answer that say the host itself is down (the host breaker counts them). */
function hostDownReason(e: unknown): HostDownReason | null {
  if (e instanceof undiciErrors.ConnectTimeoutError) return "connect timeout";
  if (e instanceof undiciErrors.HeadersTimeoutError) return "no response";
  if (e instanceof undiciErrors.SocketError) return "connection reset";
  const code = (e as { code?: string }).code;
  switch (code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
    case "EAI_FAIL":
      return "name does not resolve";
    case "ECONNREFUSED":
      return "connection refused";
    case "ECONNRESET":
    case "EPIPE":
      return "connection reset";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "EHOSTDOWN":
      return "host unreachable";
    case "ETIMEDOUT":
      return "connect timeout";
    default:
      return null;
  }
}

/** A failure's kind in words, never a URL with a query (signed CDN URLs may carry tokens). */
function describe(e: unknown): string {
  if (e instanceof undiciErrors.HeadersTimeoutError || e instanceof undiciErrors.BodyTimeoutError || e instanceof undiciErrors.ConnectTimeoutError) return "timeout";
  const code = (e as { code?: string }).code;
  return code ? `network error ${code}` : `network error ${(e as Error).name ?? "unknown"}`;
}
