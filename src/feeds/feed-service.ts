// Feeds rendered once per change of their account, not once per request: a request reads
// the account's feed version (one cheap query), answers 304 or the cached body when it is
// current, and otherwise joins the render already running for that version (concurrent
// requests share one). A render reads the newest FEED_MAX_ENTRIES items, yields to the
// event loop between bodies (health checks keep answering), and drops the oldest entries
// until the document fits FEED_MAX_BYTES. Every URL comes from configuration (PUBLIC_URL,
// MEDIA_PUBLIC_BASE_URL), never from the request.
import { createHash } from "node:crypto";
import { setImmediate as nextTick } from "node:timers/promises";
import type { MediaConfig } from "../config/media.ts";
import { DISPLAY_HTML_VERSION } from "../media/display-html.ts";
import { displayFields } from "../media/display-fields.ts";
import { contentTypeOfKey, publicMediaUrl } from "../media/keys.ts";
import { absoluteMediaUrl, createHostMatcher } from "../media/urls.ts";
import type { FeedRecords, FeedVersion, ReadStore } from "../store/read-store.ts";
import { feedUrl, renderFeed, type FeedDocument, type FeedEnclosure, type FeedEntry, type FeedFormat } from "./render.ts";

export interface FeedLimits {
  /** FEED_MAX_ENTRIES: news items a feed shows, newest first */
  maxEntries: number;
  /** FEED_MAX_BYTES: a feed's size at most (older entries are left out to fit) */
  maxBytes: number;
}

export interface FeedServiceDeps {
  reads: Pick<ReadStore, "feedVersion" | "feedItems" | "mirrorKeys" | "mirroredAssets">;
  media: MediaConfig;
  /** PUBLIC_URL; undefined: feeds carry no self or site links */
  publicUrl: string | undefined;
  limits: FeedLimits;
  /** called once per render (metrics) */
  onRender?: (format: FeedFormat) => void;
}

export interface FeedHead {
  etag: string;
  /** the account's last article change or mirrored image, to the second (HTTP dates) */
  lastModified: Date;
}

export interface FeedService {
  /** null: the account never synced */
  head(appId: string, format: FeedFormat): Promise<FeedHead | null>;
  /** the body of that version: cached, or rendered once for every caller asking meanwhile */
  body(appId: string, format: FeedFormat, head: FeedHead): Promise<Buffer>;
}

/** Rendered feeds kept (per account and format, newest use last), and their total size at most. */
const CACHE_ENTRIES = 256;
const CACHE_BYTES = 64 * 1024 * 1024;

export function createFeedService(deps: FeedServiceDeps): FeedService {
  const { media, limits, publicUrl } = deps;
  const isMediaHost = createHostMatcher(media.sourceHosts);
  const cache = new Map<string, { etag: string; body: Buffer }>();
  let cachedBytes = 0;
  const rendering = new Map<string, Promise<Buffer>>();
  // what else a body depends on: a new release's display HTML, other limits or URLs
  const salt = JSON.stringify([DISPLAY_HTML_VERSION, limits, publicUrl ?? null, media.publicBaseUrl ?? null]);

  const etagOf = (format: FeedFormat, v: FeedVersion): string =>
    `"${createHash("sha256")
      .update(JSON.stringify([salt, format, v.accountName, v.lastModified?.toISOString() ?? null, v.mediaChangedAt?.toISOString() ?? null]))
      .digest("base64url")
      .slice(0, 32)}"`;

  function remember(key: string, etag: string, body: Buffer): void {
    const old = cache.get(key);
    if (old) cachedBytes -= old.body.length;
    cache.delete(key);
    cache.set(key, { etag, body });
    cachedBytes += body.length;
    for (const [k, v] of cache) {
      if (cache.size <= CACHE_ENTRIES && cachedBytes <= CACHE_BYTES) break;
      cache.delete(k);
      cachedBytes -= v.body.length;
    }
  }

  async function entriesOf(appId: string, records: FeedRecords): Promise<FeedEntry[]> {
    const fields = await displayFields(deps.reads, media, { urls: [], contents: records.items.map((it) => it.content) });
    const thumbs = records.items.map((it) => absoluteMediaUrl(it.thumbUrl)).filter((u): u is string => u !== null && isMediaHost(u));
    const assets = await deps.reads.mirroredAssets(thumbs);
    const enclosureOf = (thumbUrl: string | null): FeedEnclosure | null => {
      const u = absoluteMediaUrl(thumbUrl);
      const asset = u ? assets.get(u) : undefined;
      // only a mirror makes an enclosure: the original refuses readers (hotlink protection)
      const url = asset ? feedUrl(publicMediaUrl(media.publicBaseUrl, asset.storageKey)) : null;
      if (!asset || !url || !asset.bytes) return null;
      return { url, type: contentTypeOfKey(asset.storageKey), length: asset.bytes };
    };
    const out: FeedEntry[] = [];
    for (const it of records.items) {
      const date = it.updateTime ?? it.createTime ?? new Date(0);
      out.push({
        id: `urn:mpsync:${encodeURIComponent(appId)}:${encodeURIComponent(it.articleId)}:${it.idx}`,
        title: it.title ?? "(untitled)",
        link: feedUrl(it.url),
        updated: date,
        published: it.createTime ?? date,
        summary: it.digest || null,
        contentHtml: fields.contentHtml(it.content),
        author: it.author || null,
        enclosure: enclosureOf(it.thumbUrl),
      });
      await nextTick(); // one body at a time: other requests run in between
    }
    return out;
  }

  /** The newest entries that fit maxBytes (at least one; without its body if that alone is too big). */
  function fitted(format: FeedFormat, doc: FeedDocument): string {
    const size = (s: string): number => Buffer.byteLength(s);
    let n = doc.entries.length;
    let body = renderFeed(format, doc);
    while (size(body) > limits.maxBytes && n > 1) {
      n = Math.max(1, Math.min(n - 1, Math.floor((n * limits.maxBytes) / size(body))));
      body = renderFeed(format, { ...doc, entries: doc.entries.slice(0, n) });
    }
    if (size(body) > limits.maxBytes && doc.entries[0]) body = renderFeed(format, { ...doc, entries: [{ ...doc.entries[0], contentHtml: null }] });
    return body;
  }

  async function render(appId: string, format: FeedFormat): Promise<Buffer> {
    deps.onRender?.(format);
    const records = await deps.reads.feedItems(appId, limits.maxEntries);
    const title = records.accountName ?? appId;
    const selfBase = publicUrl ? `${publicUrl}/v1/feeds/${encodeURIComponent(appId)}` : null;
    const doc: FeedDocument = {
      id: selfBase ? `${selfBase}.atom` : `urn:mpsync:feed:${encodeURIComponent(appId)}`,
      title,
      updated: records.lastModified ?? new Date(0),
      selfBase,
      home: publicUrl ? `${publicUrl}/` : null,
      entries: await entriesOf(appId, records),
    };
    // encoded once: the readers waiting for a new render are all answered in one tick, and 50
    // UTF-8 encodings of a 1.6 MB body there held the event loop (health checks) for ~0.6 s
    return Buffer.from(fitted(format, doc));
  }

  return {
    async head(appId, format) {
      const v = await deps.reads.feedVersion(appId);
      if (!v.known) return null;
      // a newly mirrored image changes the body too
      const changed = Math.max(v.lastModified?.getTime() ?? 0, v.mediaChangedAt?.getTime() ?? 0);
      return { etag: etagOf(format, v), lastModified: new Date(Math.floor(changed / 1000) * 1000) };
    },
    async body(appId, format, head) {
      const key = `${appId}.${format}`;
      const hit = cache.get(key);
      if (hit?.etag === head.etag) {
        cache.delete(key); // most recently used last
        cache.set(key, hit);
        return hit.body;
      }
      const flight = `${key} ${head.etag}`;
      let p = rendering.get(flight);
      if (!p) {
        p = render(appId, format).then(
          (body) => {
            remember(key, head.etag, body);
            return body;
          },
        );
        const done = (): void => void rendering.delete(flight);
        p.then(done, done);
        rendering.set(flight, p);
      }
      return p;
    },
  };
}
