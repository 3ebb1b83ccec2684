// One HTTP GET of a media URL with undici: exactly the URL given, no Referer (the CDN
// answers a foreign Referer with a placeholder image), bounded time and size. Redirects
// are followed here, a few hops, each target checked against MEDIA_SOURCE_HOSTS like the
// first URL; every connection's address is checked by address-guard.ts. Failures are
// typed (errors.ts).
import net from "node:net";
import { Agent, buildConnector, errors as undiciErrors, type Dispatcher } from "undici";
import { DEFAULT_MEDIA_DOWNLOAD } from "../config/defaults.ts";
import { BlockedAddressError, guardedLookup, isBlockedAddress } from "./address-guard.ts";
import { createHostMatcher } from "./urls.ts";
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
  /** MEDIA_SOURCE_HOSTS: every hop must be on one; an exact host:port may be a private address */
  sourceHosts: readonly string[];
  maxRedirects?: number;
}

export interface Downloaded {
  bytes: Buffer;
  contentType: string;
}

const RETRYABLE_STATUS = new Set([408, 425, 429]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

export class Downloader {
  private readonly agent: Agent;
  private readonly isSourceHost: (url: string) => boolean;
  private readonly maxRedirects: number;

  constructor(private readonly opts: DownloaderOptions) {
    this.isSourceHost = createHostMatcher(opts.sourceHosts);
    this.maxRedirects = opts.maxRedirects ?? DEFAULT_MEDIA_DOWNLOAD.maxRedirects;
    this.agent = new Agent({
      connect: guardedConnector(opts.connectTimeoutMs, opts.sourceHosts),
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connections: opts.connections,
    });
  }

  /** `onAnswer`: called when the host answers with any HTTP status (the host breaker's proof of life) */
  async fetch(url: string, signal?: AbortSignal, onAnswer?: () => void): Promise<Downloaded> {
    // the first URL too (the mirror only asks for listed hosts; this is the last line of defence)
    if (!this.isSourceHost(url)) throw new MediaRefusedError(`${new URL(url).host} is not on MEDIA_SOURCE_HOSTS`);
    let res: Dispatcher.ResponseData;
    let current = url;
    for (let hop = 0; ; hop++) {
      res = await this.request(current, signal);
      onAnswer?.();
      if (!REDIRECT_STATUS.has(res.statusCode)) break;
      await res.body.dump().catch(() => {});
      const location = headerValue(res.headers.location);
      if (!location) throw new MediaRefusedError(`HTTP ${res.statusCode} without a Location`);
      if (hop >= this.maxRedirects) throw new MediaRefusedError(`more than ${this.maxRedirects} redirects`);
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        throw new MediaRefusedError(`redirect to an invalid URL`);
      }
      if ((next.protocol !== "http:" && next.protocol !== "https:") || !this.isSourceHost(next.href)) {
        throw new MediaRefusedError(`redirect to ${next.protocol}//${next.host}, not on MEDIA_SOURCE_HOSTS`);
      }
      current = next.href;
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

  private async request(url: string, signal: AbortSignal | undefined): Promise<Dispatcher.ResponseData> {
    try {
      const { origin } = new URL(url);
      // undici sends no Referer; none is set here on purpose
      return await this.agent.request({
        origin,
        path: url.slice(origin.length) || "/",
        method: "GET",
        headers: { accept: "image/avif,image/webp,image/*,*/*;q=0.8", "user-agent": "mpsync-media/1" },
        signal,
      });
    } catch (e) {
      if (signal?.aborted) throw e;
      if (e instanceof BlockedAddressError) throw new MediaRefusedError(`refused address: ${e.message}`);
      const down = hostDownReason(e);
      if (down) throw new MediaHostDownError(new URL(url).host.toLowerCase(), down);
      throw new MediaTransientError(describe(e));
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/**
 * undici's connector with the address check: an exact host:port listed in MEDIA_SOURCE_HOSTS
 * connects anywhere; any other host only to public addresses (a literal address is checked
 * here, a name after DNS in the lookup the socket uses, so the checked address is the one
 * connected to).
 */
function guardedConnector(timeout: number, sourceHosts: readonly string[]): buildConnector.connector {
  const exact = new Set(sourceHosts.filter((h) => /:\d+$/.test(h)));
  const open = buildConnector({ timeout });
  const guarded = buildConnector({ timeout, lookup: guardedLookup } as buildConnector.BuildOptions);
  return (o, cb) => {
    const hostname = o.hostname.toLowerCase();
    const port = o.port || (o.protocol === "https:" ? "443" : "80");
    if (exact.has(`${hostname}:${port}`)) return open(o, cb);
    const literal = hostname.replace(/^\[|\]$/g, "");
    if (net.isIP(literal) !== 0) {
      if (isBlockedAddress(literal)) return cb(new BlockedAddressError(hostname, literal), null);
      return open(o, cb);
    }
    return guarded(o, cb);
  };
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
