// The done-when scenario, shared by the file-store and the S3-store test files: against the
// simulator's CDN with hotlink protection on, `mpsync sync --full --inline` (a real child
// process) mirrors every image of every live article; the read API and the SQL columns
// show display-ready HTML whose every image is served byte-exact from the mirror; the CDN
// saw each URL once and never a Referer; a second sync downloads nothing; a new public
// base URL needs no download at all.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { parseDocument, DomUtils } from "htmlparser2";
import type { Element } from "domhandler";
import { loadConfig } from "../../src/config/config.ts";
import { buildHttpServer } from "../../src/http/server.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createMetrics } from "../../src/metrics/registry.ts";
import { createPrisma, type PrismaClient } from "../../src/store/prisma.ts";
import { createReadStore } from "../../src/store/read-store.ts";
import { createRedis } from "../../src/redis/connection.ts";
import type { Simulator } from "../../src/simulator/index.ts";
import type { TestDatabase, TestRedis } from "../helpers/db.ts";
import { childEnv, runMpsync } from "../jobs/harness.ts";
import { simulator } from "../sync/harness.ts";

export interface E2EOptions {
  /** created at the test file's top level (their clean-up hooks must be registered there) */
  db: TestDatabase;
  redis: TestRedis;
  /** MEDIA_STORE_URL and the environment the store needs (S3 endpoint, credentials) */
  storeEnv: () => Record<string, string>;
  /** MEDIA_STORE_URL (and its environment) of a second, empty store */
  otherStoreEnv: () => Record<string, string>;
  /** the files or objects in the store, to count distinct objects */
  countObjects: () => Promise<number>;
}

const imgs = (html: string): Element[] => DomUtils.getElementsByTagName("img", parseDocument(html).children, true);

const READ_TOKEN = "media-test-read-token-0123";

export function mirrorScenario(o: E2EOptions): void {
  const { db, redis } = o;
  let sim: Simulator;
  let env: Record<string, string>;
  let prisma: PrismaClient;

  async function httpServer(extra: Record<string, string> = {}): Promise<FastifyInstance> {
    const config = loadConfig({ READ_API_TOKEN: READ_TOKEN, ...env, ...extra });
    const r = createRedis(config.redisUrl);
    const app = await buildHttpServer({ config, reads: createReadStore(prisma), redis: r, logger: createLogger("silent"), metrics: createMetrics({ defaultMetrics: false }) });
    app.addHook("onClose", async () => r.disconnect());
    return app;
  }

  /** Distinct CDN URLs (media) that live, non-deleted news items and image materials use. */
  function liveImageUrls(): Set<string> {
    const urls = new Set<string>();
    for (const a of sim.published())
      for (const n of a.news_item) {
        if (n.is_deleted) continue;
        urls.add(n.thumb_url);
        for (const img of imgs(n.content)) urls.add(img.attribs["data-src"]!);
      }
    for (const m of sim.materials("image")) urls.add(m.url!);
    return urls;
  }

  beforeAll(async () => {
    const d = db;
    sim = await simulator({
      media: { origin: "self", hotlinkProtection: true },
      seed: { seed: 11, published: 40, maxNewsItems: 3, contentBytes: 1500, materials: { image: 8, video: 2, voice: 1, news: 3 } },
    });
    prisma = createPrisma(d.url, { poolSize: 3, connectionTimeoutMs: 10_000, idleTimeoutMs: 10_000, statementTimeoutMs: 60_000 });
    env = {
      ...childEnv(d, redis, sim),
      MEDIA_MIRROR: "true",
      MEDIA_SOURCE_HOSTS: new URL(sim.url).host,
      MEDIA_CONCURRENCY: "4",
      LOG_LEVEL: "warn",
      ...o.storeEnv(),
    };
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await sim?.close();
  });

  it("after sync --full --inline every image of every live article is served byte-exact from the mirror", async () => {
    const r = await runMpsync(["sync", "--full", "--inline"], env);
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toMatch(/^media: \d+ new, \d+ downloaded .* 0 failed, 0 gone, 0 refused/m);

    // the CDN saw each distinct URL once, never with a Referer, and served no placeholder
    const cdn = sim.mediaCounters();
    expect(cdn.withReferer).toBe(0);
    expect(cdn.placeholders).toBe(0);
    expect(Math.max(...Object.values(cdn.requests))).toBe(1);
    const requested = new Set(Object.keys(cdn.requests).map((p) => sim.mediaOrigin + p));
    for (const u of liveImageUrls()) expect(requested.has(u), u).toBe(true);

    const app = await httpServer();
    try {
      const serve = async (src: string): Promise<Buffer> => {
        expect(src).toMatch(/^\/media\/[0-9a-f]{2}\/[0-9a-f]{64}\.(jpg|png)$/);
        const res = await app.inject({ method: "GET", url: src });
        expect(res.statusCode).toBe(200);
        expect(res.headers["cache-control"]).toContain("immutable");
        expect(res.headers.etag).toBe(`"${src.split("/").pop()!.split(".")[0]}"`);
        expect(res.headers["content-type"]).toMatch(src.endsWith(".png") ? /^image\/png/ : /^image\/jpeg/);
        return res.rawPayload;
      };
      let images = 0;
      for (const a of sim.published()) {
        if (a.news_item.every((n) => n.is_deleted)) continue;
        const res = await app.inject({ method: "GET", url: `/v1/articles/${a.article_id}` });
        expect(res.statusCode).toBe(200);
        const body = res.json();
        expect(body.thumb_mirror_url).toMatch(/^\/media\//);
        for (const [i, n] of a.news_item.entries()) {
          if (n.is_deleted) continue;
          // deleted news items are left out of anonymous answers: find the item by its idx
          const item = body.news_items.find((x: { idx: number }) => x.idx === i);
          expect(item.content).toBe(n.content); // the original, byte for byte
          const html: string = item.content_html;
          expect(html).not.toContain(sim.mediaOrigin);
          expect(html).not.toMatch(/visibility:\s*hidden|opacity:\s*0(?![.\d]*[1-9])/);
          const originals = imgs(n.content).map((e) => e.attribs["data-src"]!);
          const shown = imgs(html);
          expect(shown.length).toBe(originals.length);
          for (const [k, img] of shown.entries()) {
            expect(img.attribs.src).toBeDefined();
            expect((await serve(img.attribs.src!)).equals(sim.mediaBytes(originals[k]!).bytes)).toBe(true);
            images++;
          }
          expect((await serve(item.thumb_mirror_url)).equals(sim.mediaBytes(n.thumb_url).bytes)).toBe(true);
        }
      }
      expect(images).toBeGreaterThan(20);
      // CSS backgrounds point at the mirror too
      const withBg = sim.published().flatMap((a) => a.news_item).find((n) => !n.is_deleted && n.content.includes("background-image"));
      expect(withBg).toBeDefined();

      // the material library is not public: READ_API_TOKEN (see httpServer) opens it
      const mats = (await app.inject({ method: "GET", url: "/v1/materials?type=image&limit=100", headers: { authorization: `Bearer ${READ_TOKEN}` } })).json();
      expect(mats.data).toHaveLength(8);
      for (const m of mats.data) expect((await serve(m.mirror_url)).equals(sim.mediaBytes(m.url).bytes)).toBe(true);

      const res304 = await app.inject({ method: "GET", url: mats.data[0].mirror_url, headers: { "if-none-match": `"${mats.data[0].mirror_url.split("/").pop().split(".")[0]}"` } });
      expect(res304.statusCode).toBe(304);
      expect((await app.inject({ method: "GET", url: "/media/../../etc/passwd" })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });

  it("SQL users read the same display HTML from published_news_items.content_html", async () => {
    const d = db;
    const rows = await d.sql.query(
      `SELECT n.content, n.content_html, n.thumb_url, n.thumb_mirror_url FROM published_news_items n
         JOIN published_articles a USING (account_id, article_id) WHERE NOT a.is_deleted AND NOT n.is_deleted`,
    );
    expect(rows.rows.length).toBeGreaterThan(40);
    for (const r of rows.rows) {
      expect(r.content_html).not.toContain(sim.mediaOrigin);
      expect(r.thumb_mirror_url).toMatch(/^\/media\//);
      for (const img of imgs(r.content_html)) expect(img.attribs.src).toMatch(/^\/media\//);
    }
    const mats = await d.sql.query(`SELECT url, mirror_url FROM materials WHERE type = 'image'`);
    for (const m of mats.rows) expect(m.mirror_url).toMatch(/^\/media\//);
  });

  it("identical bytes under two URLs are stored once; media status counts by state", async () => {
    const d = db;
    const { rows } = await d.sql.query(`SELECT count(*)::int AS n, count(DISTINCT content_hash)::int AS objects FROM media_assets WHERE state = 'stored'`);
    expect(rows[0].objects).toBeLessThan(rows[0].n); // the /0 and /640 variants of shared images
    expect(await o.countObjects()).toBe(rows[0].objects);
    const s = await runMpsync(["media", "status", "--json"], env);
    expect(s.code, s.all).toBe(0);
    const status = JSON.parse(s.stdout);
    expect(status).toMatchObject({ stored: { count: rows[0].n }, pending: { count: 0 }, failed: { count: 0 }, gone: { count: 0 }, objects: { count: rows[0].objects } });
  });

  it("a second sync of unchanged content downloads nothing", async () => {
    sim.resetCounters();
    const r = await runMpsync(["sync", "--full", "--inline"], env);
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toMatch(/^media: 0 new, 0 downloaded/m);
    expect(sim.mediaCounters().requests).toEqual({});
  });

  it("a new, empty store gets the object of an asset whose bytes the database already knows", async () => {
    const d = db;
    // an asset whose bytes another stored asset shares (the /0 and /640 variants of one image)
    const { rows } = await d.sql.query(
      `SELECT a.id, a.storage_key FROM media_assets a WHERE a.state = 'stored' AND EXISTS (SELECT 1 FROM media_assets b WHERE b.content_hash = a.content_hash AND b.id <> a.id) LIMIT 1`,
    );
    expect(rows).toHaveLength(1);
    await d.sql.query(`UPDATE media_assets SET state = 'pending', storage_key = NULL, content_hash = NULL, stored_at = NULL WHERE id = $1`, [rows[0].id]);
    const other = o.otherStoreEnv();
    const r = await runMpsync(["media", "sync"], { ...env, ...other });
    expect(r.code, r.all).toBe(0);
    const after = (await d.sql.query(`SELECT state, storage_key FROM media_assets WHERE id = $1`, [rows[0].id])).rows[0];
    expect(after).toEqual({ state: "stored", storage_key: rows[0].storage_key });
    const app = await httpServer(other);
    try {
      expect((await app.inject({ method: "GET", url: `/media/${after.storage_key}` })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it("a new MEDIA_PUBLIC_BASE_URL rewrites the display columns without fetching anything", async () => {
    const d = db;
    sim.resetCounters();
    const base = "https://img.example.com/wx";
    const r = await runMpsync(["media", "sync"], { ...env, MEDIA_PUBLIC_BASE_URL: base });
    expect(r.code, r.all).toBe(0);
    expect(sim.mediaCounters().requests).toEqual({});
    expect(sim.counters().calls).toEqual({});
    const { rows } = await d.sql.query(`SELECT content_html, thumb_mirror_url FROM published_news_items WHERE NOT is_deleted`);
    for (const row of rows) {
      expect(row.thumb_mirror_url.startsWith(`${base}/`)).toBe(true);
      for (const img of imgs(row.content_html)) expect(img.attribs.src!.startsWith(`${base}/`)).toBe(true);
    }
    const app = await httpServer({ MEDIA_PUBLIC_BASE_URL: base });
    try {
      const a = sim.published().find((x) => !x.news_item[0]!.is_deleted)!;
      const body = (await app.inject({ method: "GET", url: `/v1/articles/${a.article_id}` })).json();
      expect(body.news_items[0].thumb_mirror_url.startsWith(`${base}/`)).toBe(true);
      for (const img of imgs(body.news_items[0].content_html)) expect(img.attribs.src!.startsWith(`${base}/`)).toBe(true);
    } finally {
      await app.close();
    }
  });
}
