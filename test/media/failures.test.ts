// CDN failures against the simulator's CDN: 5xx and timeouts are retried (now, and by later
// passes with backoff, not forever), 404 marks the asset gone, a wrong content type or an
// oversized body is refused and recorded; the content sync succeeds and its data is intact,
// and display HTML keeps the original URL (no-referrer) where no mirror exists.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument, DomUtils } from "htmlparser2";
import { loadMediaConfig } from "../../src/config/media.ts";
import { syncInline } from "../../src/cli/commands/sync.ts";
import { createMediaService, type MediaService } from "../../src/media/service.ts";
import type { Runtime } from "../../src/runtime.ts";
import type { Simulator } from "../../src/simulator/index.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { APP_ID, appConfig, assertConverged, simulator } from "../sync/harness.ts";
import { createRuntime } from "../../src/runtime.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { FAST_RETRY } from "../sync/harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const dir = await mkdtemp(path.join(tmpdir(), "mpsync-media-fail-"));
let sim: Simulator;
let runtime: Runtime;
let media: MediaService;
const MAX_BYTES = 64 * 1024;
const pathOf = (u: string): string => new URL(u).pathname;

type Asset = { state: string; attempts: number; last_error: string | null; next_attempt_at: Date | null; storage_key: string | null };
async function asset(url: string): Promise<Asset> {
  const r = await db.sql.query(`SELECT state, attempts, last_error, next_attempt_at, storage_key FROM media_assets WHERE source_url = $1`, [url]);
  return r.rows[0];
}

let urls: Record<"flaky" | "hangs" | "missing" | "broken" | "html" | "huge", string>;

beforeAll(async () => {
  sim = await simulator({ media: { origin: "self" }, seed: { seed: 5, published: 12, maxNewsItems: 2, contentBytes: 800, materials: { image: 4, video: 0, voice: 0, news: 0 } } });
  const thumbs = [...new Set(sim.published().flatMap((a) => a.news_item.filter((n) => !n.is_deleted).map((n) => n.thumb_url)))];
  const [flaky, hangs, missing, broken, html, huge] = thumbs;
  urls = { flaky: flaky!, hangs: hangs!, missing: missing!, broken: broken!, html: html!, huge: huge! };
  sim.setMediaFaults({
    byPath: {
      [pathOf(urls.flaky)]: { status: 503, times: 2 },
      [pathOf(urls.hangs)]: { hang: true, times: 1 },
      [pathOf(urls.missing)]: { status: 404 },
      [pathOf(urls.broken)]: { status: 500 },
      [pathOf(urls.html)]: { contentType: "text/html; charset=utf-8" },
      [pathOf(urls.huge)]: { bytes: MAX_BYTES + 1 },
    },
  });
  const problems: string[] = [];
  const mediaConfig = loadMediaConfig(
    { MEDIA_STORE_URL: `file:${dir}`, MEDIA_SOURCE_HOSTS: new URL(sim.url).host, MEDIA_MAX_BYTES: String(MAX_BYTES), MEDIA_TIMEOUT_MS: "400", MEDIA_CONCURRENCY: "3" },
    problems,
  );
  expect(problems).toEqual([]);
  const config = { ...appConfig(db, redis, sim.url), media: mediaConfig };
  runtime = createRuntime(config, { logger: createLogger("silent"), retry: FAST_RETRY, tokens: { pollMs: 5 } });
  media = createMediaService({ config, prisma: runtime.prisma, logger: runtime.logger, retry: { minDelayMs: 5, laterBaseMs: 60_000, maxAttempts: 3 } });
});

afterAll(async () => {
  await media?.close();
  await runtime?.close();
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("CDN failures", () => {
  it("the content sync succeeds and is intact whatever the CDN does", async () => {
    const lines: string[] = [];
    const results = await syncInline(runtime, { full: true, inline: true }, (l) => lines.push(l));
    expect(results.every((r) => r.status === "succeeded")).toBe(true);
    await assertConverged(db.sql, sim, (a, b) => expect(a).toEqual(b));
    const summary = lines.find((l) => l.startsWith("media:"));
    expect(summary).toMatch(/ 1 failed, 1 gone, 2 refused/);
  });

  it("transient failures (5xx, a timeout) are retried within the pass and stored", async () => {
    expect(await asset(urls.flaky)).toMatchObject({ state: "stored", attempts: 1, last_error: null });
    expect(sim.mediaCounters().requests[new URL(urls.flaky).pathname + new URL(urls.flaky).search]).toBe(3);
    expect(await asset(urls.hangs)).toMatchObject({ state: "stored", attempts: 1 });
  });

  it("404 marks the asset gone; a wrong type and an oversized body are refused; a lasting 5xx waits for a later pass", async () => {
    expect(await asset(urls.missing)).toMatchObject({ state: "gone", last_error: "HTTP 404", next_attempt_at: null });
    const html = await asset(urls.html);
    expect(html).toMatchObject({ state: "failed", next_attempt_at: null, storage_key: null });
    expect(html.last_error).toContain("not an image: content-type text/html");
    const huge = await asset(urls.huge);
    expect(huge).toMatchObject({ state: "failed", next_attempt_at: null });
    expect(huge.last_error).toContain("larger than MEDIA_MAX_BYTES");
    const broken = await asset(urls.broken);
    expect(broken).toMatchObject({ state: "failed", attempts: 1, last_error: "HTTP 500" });
    expect(broken.next_attempt_at!.getTime()).toBeGreaterThan(Date.now() + 30_000);
  });

  it("display HTML keeps the original URL with no-referrer where no mirror exists", async () => {
    const { rows } = await db.sql.query(`SELECT thumb_url, thumb_mirror_url, content_html FROM published_news_items WHERE thumb_url = ANY($1)`, [[urls.missing, urls.broken, urls.flaky]]);
    for (const r of rows) {
      if (r.thumb_url === urls.flaky) expect(r.thumb_mirror_url).toMatch(/^\/media\//);
      else expect(r.thumb_mirror_url).toBeNull();
      for (const img of DomUtils.getElementsByTagName("img", parseDocument(r.content_html).children, true)) {
        expect(img.attribs.src).toBeTruthy();
        if (!img.attribs.src!.startsWith("/media/")) expect(img.attribs.referrerpolicy).toBe("no-referrer");
      }
    }
  });

  it("later passes retry a failed asset when its time comes, and stop after the last attempt", async () => {
    sim.resetCounters();
    let r = await media.mirror.pass();
    expect(r.failed + r.downloaded + r.gone + r.refused).toBe(0); // not due yet, and gone/refused are never asked again
    expect(sim.mediaCounters().requests).toEqual({});
    for (const attempt of [2, 3]) {
      await db.sql.query(`UPDATE media_assets SET next_attempt_at = now() - interval '1 second' WHERE source_url = $1`, [urls.broken]);
      r = await media.mirror.pass();
      expect(r.failed).toBe(1);
      expect(await asset(urls.broken)).toMatchObject({ state: "failed", attempts: attempt });
    }
    expect((await asset(urls.broken)).next_attempt_at).toBeNull(); // maxAttempts 3: no more
    sim.setMediaFaults({}); // the CDN recovered; a manual reset brings it back
    await db.sql.query(`UPDATE media_assets SET state = 'pending', next_attempt_at = NULL WHERE source_url = $1`, [urls.broken]);
    r = await media.mirror.pass();
    expect(r.downloaded).toBe(1);
    const { rows } = await db.sql.query(`SELECT thumb_mirror_url FROM published_news_items WHERE thumb_url = $1`, [urls.broken]);
    expect(rows[0].thumb_mirror_url).toMatch(/^\/media\//);
  });
});
