// One HTTP GET of a media URL with undici: exactly the URL given, no Referer (the CDN
// answers a foreign Referer with a placeholder image), bounded time and size, redirects
// followed a few times. Failures are typed (errors.ts).
import { Agent, errors as undiciErrors, interceptors, type Dispatcher } from "undici";
import { mediaType } from "./keys.ts";
import { MediaGoneError, MediaRefusedError, MediaTransientError } from "./errors.ts";

export interface DownloaderOptions {
  /** sockets per CDN host */
  connections: number;
  maxBytes: number;
  timeoutMs: number;
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
      connect: { timeout: opts.timeoutMs },
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connections: opts.connections,
    });
    this.dispatcher = this.agent.compose(interceptors.redirect({ maxRedirections: 3 }));
  }

  async fetch(url: string, signal?: AbortSignal): Promise<Downloaded> {
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
      throw new MediaTransientError(describe(e));
    }
    const { statusCode: status, body, headers } = res;
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

/** A failure's kind in words, never a URL with a query (signed CDN URLs may carry tokens). */
function describe(e: unknown): string {
  if (e instanceof undiciErrors.HeadersTimeoutError || e instanceof undiciErrors.BodyTimeoutError || e instanceof undiciErrors.ConnectTimeoutError) return "timeout";
  const code = (e as { code?: string }).code;
  return code ? `network error ${code}` : `network error ${(e as Error).name ?? "unknown"}`;
}
