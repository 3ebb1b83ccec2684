// The image CDN side of the simulator (mmbiz.qpic.cn): serves deterministic image bytes
// at every /mmbiz_* URL its content names, answers a foreign Referer with a placeholder
// image (status 200, wrong bytes) as the real CDN does, and injects per-path faults.
import type http from "node:http";
import { deflateSync } from "node:zlib";
import { setTimeout as sleep } from "node:timers/promises";
import { createRng, hash32 } from "./random.ts";
import type { SimMediaCounters, SimMediaFault, SimMediaOptions } from "./types.ts";

/** Paths of the CDN; everything else on the simulator is the API. */
export const isMediaPath = (path: string): boolean => path.startsWith("/mmbiz");

/** WeChat's own pages may embed the images; any other Referer gets the placeholder. */
function foreignReferer(referer: string | undefined): boolean {
  if (!referer) return false;
  try {
    const host = new URL(referer).hostname;
    return !(host === "mp.weixin.qq.com" || host.endsWith(".weixin.qq.com"));
  } catch {
    return true;
  }
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A valid RGB PNG of noise (incompressible, so its size is about width × height × 3). */
export function noisePng(seed: number, width: number, height: number): Buffer {
  const rng = createRng(seed);
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let i = 0; i < raw.length; i++) raw[i] = i % (width * 3 + 1) === 0 ? 0 : Math.floor(rng() * 256);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk("IHDR", ihdr), pngChunk("IDAT", deflateSync(raw, { level: 1 })), pngChunk("IEND", Buffer.alloc(0))]);
}

// A valid baseline JPEG of one flat grey 8×8 block: quantisation table of ones, one-code
// Huffman tables (DC category 0, AC end-of-block), scan bits "00" padded with ones.
const JPEG_HEAD = Buffer.from([0xff, 0xd8]);
const JPEG_TAIL = Buffer.from([
  0xff, 0xdb, 0x00, 0x43, 0x00, ...new Array<number>(64).fill(1),
  0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00,
  0xff, 0xc4, 0x00, 0x14, 0x00, 0x01, ...new Array<number>(15).fill(0), 0x00,
  0xff, 0xc4, 0x00, 0x14, 0x10, 0x01, ...new Array<number>(15).fill(0), 0x00,
  0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00,
  0x3f,
  0xff, 0xd9,
]);

/** A valid JPEG of about `size` bytes: comment segments of seeded noise make each one distinct. */
export function noiseJpeg(seed: number, size: number): Buffer {
  const rng = createRng(seed);
  const parts: Buffer[] = [JPEG_HEAD];
  let left = Math.max(0, size - JPEG_HEAD.length - JPEG_TAIL.length);
  while (left > 4) {
    const n = Math.min(65_533, left - 4);
    const seg = Buffer.alloc(n + 4);
    seg.set([0xff, 0xfe, (n + 2) >> 8, (n + 2) & 0xff]);
    for (let i = 4; i < seg.length; i++) seg[i] = Math.floor(rng() * 256);
    parts.push(seg);
    left -= n + 4;
  }
  parts.push(JPEG_TAIL);
  return Buffer.concat(parts);
}

/** "此图片来自微信公众平台 未经允许不可引用": one fixed image, whatever was asked for. */
export const PLACEHOLDER_PNG = noisePng(0x91ace, 24, 12);

/**
 * The bytes of a CDN URL: a pure function of (seed, image id, format). The size variant
 * (the last path segment: /0, /640) does not change the bytes, so two URLs of one image
 * are identical bytes, as content-addressed storage should notice.
 */
export function mediaBytes(seed: number, pathAndQuery: string): { bytes: Buffer; contentType: string } {
  const url = new URL(pathAndQuery, "http://cdn");
  const id = url.pathname.replace(/\/[^/]*$/, "");
  const fmt = (url.searchParams.get("wx_fmt") ?? (id.startsWith("/mmbiz_png") ? "png" : "jpeg")).toLowerCase();
  const h = hash32(seed, hashString(id), hashString(fmt));
  if (fmt === "png" || fmt === "gif") {
    const side = 16 + (h % 48);
    return { bytes: noisePng(h, side, side), contentType: "image/png" };
  }
  return { bytes: noiseJpeg(h, 2_000 + (h % 40_000)), contentType: "image/jpeg" };
}

export class MediaCdn {
  private faults: Record<string, SimMediaFault & { used: number }> = {};
  private latencyMs = 0;
  hotlinkProtection: boolean;
  private counters: SimMediaCounters = { requests: {}, withReferer: 0, placeholders: 0 };

  constructor(
    private readonly seed: () => number,
    opts: SimMediaOptions = {},
  ) {
    this.hotlinkProtection = opts.hotlinkProtection ?? true;
    this.setFaults({ latencyMs: opts.latencyMs, byPath: opts.faults });
  }

  setFaults(f: { latencyMs?: number; byPath?: Record<string, SimMediaFault> }): void {
    this.latencyMs = f.latencyMs ?? 0;
    this.faults = Object.fromEntries(Object.entries(f.byPath ?? {}).map(([p, v]) => [p, { ...v, used: 0 }]));
  }

  snapshot(): SimMediaCounters {
    return { requests: { ...this.counters.requests }, withReferer: this.counters.withReferer, placeholders: this.counters.placeholders };
  }

  reset(): void {
    this.counters = { requests: {}, withReferer: 0, placeholders: 0 };
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const key = `${url.pathname}${url.search}`;
    this.counters.requests[key] = (this.counters.requests[key] ?? 0) + 1;
    const referer = req.headers.referer;
    if (referer !== undefined) this.counters.withReferer++;
    if (this.latencyMs > 0) await sleep(this.latencyMs);

    const fault = this.faults[url.pathname];
    const active = fault && (fault.times === undefined || fault.used < fault.times);
    if (fault && active) fault.used++;
    if (active && fault.hang) return; // never answers: the client's timeout decides (closeAllConnections ends it)
    if (active && fault.status !== undefined) {
      res.writeHead(fault.status, { "content-type": "text/html" });
      res.end(`<html><body>${fault.status}</body></html>`);
      return;
    }
    if (this.hotlinkProtection && foreignReferer(referer)) {
      this.counters.placeholders++;
      return send(res, PLACEHOLDER_PNG, "image/png");
    }
    const { bytes, contentType } = mediaBytes(this.seed(), key);
    if (active && fault.contentType !== undefined) return send(res, Buffer.from("<html><body>not an image</body></html>"), fault.contentType);
    if (active && fault.bytes !== undefined) return send(res, Buffer.alloc(fault.bytes, 7), contentType);
    send(res, bytes, contentType);
  }
}

function send(res: http.ServerResponse, body: Buffer, contentType: string): void {
  res.writeHead(200, { "content-type": contentType, "content-length": body.length, "cache-control": "max-age=2592000" });
  res.end(body);
}
