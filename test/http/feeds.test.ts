// The feeds: Atom and RSS parse as XML with the right roots and one entry per live news
// item of the latest live articles; JSON Feed is version 1.1; ETag / Last-Modified give 304.
import { XMLParser } from "fast-xml-parser";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppConfig } from "../../src/config/config.ts";
import { startHttpServer } from "../../src/http/server.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createMetrics } from "../../src/metrics/registry.ts";
import { createReadStore } from "../../src/store/read-store.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const APP = "wxfeeds0000000001";
let app: FastifyInstance;
let base: string;
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@" });
const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

beforeAll(async () => {
  await db.sql.query(`INSERT INTO accounts (app_id, name) VALUES ($1, 'Feed & <Test>')`, [APP]);
  // three live articles (one with two live items and a deleted one), one deleted article
  await db.sql.query(
    `INSERT INTO published_articles (account_id, article_id, create_time, update_time, is_deleted, deleted_at, last_seen_at) VALUES
       (1, 'a1', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', false, NULL, '2026-01-02T00:00:00Z'),
       (1, 'a2', '2026-01-03T00:00:00Z', '2026-01-04T00:00:00Z', false, NULL, '2026-01-04T00:00:00Z'),
       (1, 'a3', NULL, '2026-01-05T00:00:00Z', false, NULL, '2026-01-05T00:00:00Z'),
       (1, 'gone', NULL, '2026-01-06T00:00:00Z', true, '2026-01-07T00:00:00Z', '2026-01-06T00:00:00Z')`,
  );
  await db.sql.query(
    `INSERT INTO published_news_items (account_id, article_id, idx, title, author, digest, content, url, is_deleted) VALUES
       (1, 'a1', 0, 'First & one', 'Li', 'digest 1', '<p>one <b>bold</b></p>', 'https://mp.weixin.qq.com/s/a1', false),
       (1, 'a2', 0, 'Second', NULL, 'digest 2', '<p>two</p>', 'https://mp.weixin.qq.com/s/a2', false),
       (1, 'a2', 1, 'Second, item two', NULL, NULL, '<p>two b</p>', 'https://mp.weixin.qq.com/s/a2b', false),
       (1, 'a2', 2, 'Second, deleted item', NULL, NULL, '<p>x</p>', 'https://mp.weixin.qq.com/s/a2c', true),
       (1, 'a3', 0, 'Third', NULL, NULL, '<p>three</p>', 'https://mp.weixin.qq.com/s/a3', false),
       (1, 'gone', 0, 'Gone', NULL, NULL, '<p>gone</p>', 'https://mp.weixin.qq.com/s/gone', true)`,
  );
  const config = { databaseUrl: db.url, redisPrefix: redis.prefix, accounts: [], http: { port: 0, host: "127.0.0.1", adminToken: undefined } } as unknown as AppConfig;
  ({ app, url: base } = await startHttpServer({ config, reads: createReadStore(db.prisma), redis: redis.redis, logger: createLogger("silent"), metrics: createMetrics({ defaultMetrics: false }) }));
});

afterAll(async () => {
  await app?.close();
});

const LIVE_TITLES = ["Third", "Second", "Second, item two", "First & one"];

describe("feeds", () => {
  it("Atom: a <feed> in the Atom namespace with one <entry> per live news item, newest first, with HTML content", async () => {
    const r = await fetch(`${base}/v1/feeds/${APP}.atom`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^application\/atom\+xml/);
    const doc = xml.parse(await r.text());
    expect(doc.feed["@xmlns"]).toBe("http://www.w3.org/2005/Atom");
    expect(doc.feed.title).toBe("Feed & <Test>");
    const entries = asArray(doc.feed.entry) as Record<string, any>[];
    expect(entries.map((e) => e.title["#text"] ?? e.title)).toEqual(LIVE_TITLES);
    const first = entries.find((e) => (e.title["#text"] ?? e.title) === "First & one")!;
    expect(first.link["@href"]).toBe("https://mp.weixin.qq.com/s/a1");
    expect(first.updated).toBe("2026-01-02T00:00:00.000Z");
    expect(first.content["#text"] ?? first.content).toContain("<b>bold</b>");
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
  });

  it("RSS: an <rss version=2.0> with a <channel> and one <item> per live news item", async () => {
    const r = await fetch(`${base}/v1/feeds/${APP}.rss`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^application\/rss\+xml/);
    const doc = xml.parse(await r.text());
    expect(doc.rss["@version"]).toBe("2.0");
    const items = asArray(doc.rss.channel.item) as Record<string, any>[];
    expect(items.map((i) => i.title)).toEqual(LIVE_TITLES);
    expect(items[1]!.link).toBe("https://mp.weixin.qq.com/s/a2");
    expect(items[3]!.description).toBe("digest 1");
  });

  it("JSON Feed 1.1 with the items", async () => {
    const r = await fetch(`${base}/v1/feeds/${APP}.json`);
    expect(r.headers.get("content-type")).toMatch(/^application\/feed\+json/);
    const doc = (await r.json()) as { version: string; title: string; items: { id: string; title: string; url: string; content_html: string; date_modified: string; authors?: { name: string }[] }[] };
    expect(doc.version).toBe("https://jsonfeed.org/version/1.1");
    expect(doc.items.map((i) => i.title)).toEqual(LIVE_TITLES);
    expect(doc.items[3]).toMatchObject({ url: "https://mp.weixin.qq.com/s/a1", content_html: "<p>one <b>bold</b></p>", date_modified: "2026-01-02T00:00:00.000Z", authors: [{ name: "Li" }] });
  });

  it("ETag and Last-Modified: 304 while nothing changed, 200 with a new ETag once an article changed", async () => {
    const first = await fetch(`${base}/v1/feeds/${APP}.rss`);
    const etag = first.headers.get("etag")!;
    const lastModified = first.headers.get("last-modified")!;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(new Date(lastModified).toISOString()).toBe("2026-01-07T00:00:00.000Z"); // the deletion is the latest change
    expect((await fetch(`${base}/v1/feeds/${APP}.rss`, { headers: { "if-none-match": etag } })).status).toBe(304);
    expect((await fetch(`${base}/v1/feeds/${APP}.rss`, { headers: { "if-modified-since": lastModified } })).status).toBe(304);
    expect((await fetch(`${base}/v1/feeds/${APP}.rss`, { headers: { "if-none-match": '"other"' } })).status).toBe(200);
    await db.sql.query(`UPDATE published_news_items SET title = 'Third, edited' WHERE article_id = 'a3'`);
    await db.sql.query(`UPDATE published_articles SET last_seen_at = now() WHERE article_id = 'a3'`);
    const after = await fetch(`${base}/v1/feeds/${APP}.rss`, { headers: { "if-none-match": etag, "if-modified-since": lastModified } });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(etag);
    expect(await after.text()).toContain("Third, edited");
  });

  it("404 for an account never synced and for an unknown format", async () => {
    expect((await fetch(`${base}/v1/feeds/wxnotsynced00001.atom`)).status).toBe(404);
    expect((await fetch(`${base}/v1/feeds/${APP}.xml`)).status).toBe(404);
  });
});
