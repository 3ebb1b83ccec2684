// Feeds whatever the content: "]]>" in bodies, characters XML forbids in titles, empty and
// invalid URLs still give well-formed Atom and RSS (checked by xmllint, or fast-xml-parser's
// validator without it) and valid JSON, never a 500; enclosures are the mirror with its
// real type and size; links come from PUBLIC_URL, never from Host / X-Forwarded-Host; a
// feed is rendered once per change however many ask at once, and stays within
// FEED_MAX_ENTRIES and FEED_MAX_BYTES.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppConfig } from "../../src/config/config.ts";
import { loadMediaConfig } from "../../src/config/media.ts";
import { startHttpServer } from "../../src/http/server.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createMetrics, type Metrics } from "../../src/metrics/registry.ts";
import { createReadStore } from "../../src/store/read-store.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const HOSTILE = "wxhostile00000001";
const BIG = "wxbigfeed00000001";
const PUBLIC_URL = "https://feeds.example.com/mpsync";
const KEY = `ab/ab${"0".repeat(62)}.jpg`;
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@" });
const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
let app: FastifyInstance;
let base: string;
let metrics: Metrics;

const XMLLINT = ["/usr/bin/xmllint", "/usr/local/bin/xmllint"].find(existsSync);
if (!XMLLINT) console.warn("feeds: xmllint not installed (Debian: apt-get install libxml2-utils); fast-xml-parser's validator checks the feeds instead");

/** null when well-formed, else the parser's complaint. */
function xmlProblem(body: string): string | null {
  if (XMLLINT) {
    const r = spawnSync(XMLLINT, ["--noout", "--nonet", "-"], { input: body, encoding: "utf8" });
    return r.status === 0 ? null : r.stderr.trim() || `xmllint exit ${r.status}`;
  }
  const v = XMLValidator.validate(body);
  return v === true ? null : JSON.stringify(v.err);
}

const INJECTION = `<p>a</p>]]><title>INJECTED</title><link href="https://phish.example/login"/><![CDATA[<p>b</p>]]>]]>`;

beforeAll(async () => {
  await db.sql.query(`INSERT INTO accounts (app_id, name) VALUES ($1, 'Bad \u0001name'), ($2, 'Big')`, [HOSTILE, BIG]);
  await db.sql.query(
    `INSERT INTO published_articles (account_id, article_id, update_time, last_seen_at) VALUES
       (1, 'h1', '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z'), (1, 'h2', '2026-02-02T00:00:00Z', '2026-02-02T00:00:00Z'), (1, 'h3', '2026-02-03T00:00:00Z', '2026-02-03T00:00:00Z')`,
  );
  await db.sql.query(
    `INSERT INTO published_news_items (account_id, article_id, idx, title, author, digest, content, url, thumb_url) VALUES
       (1, 'h1', 0, $1, 'Li\u0008', 'digest ]]> here', $2, '', ''),
       (1, 'h2', 0, 'Bad URLs', NULL, NULL, '<p>x</p>', 'not a url', 'javascript:alert(1)'),
       (1, 'h3', 0, 'Mirrored cover', NULL, NULL, '<p>y</p>', 'https://mp.weixin.qq.com/s/h3', 'http://mmbiz.qpic.cn/mmbiz_jpg/cover/0?wx_fmt=jpeg'),
       (1, 'h3', 1, 'Cover not mirrored', NULL, NULL, '<p>z</p>', 'https://mp.weixin.qq.com/s/h3b', 'http://mmbiz.qpic.cn/mmbiz_jpg/other/0?wx_fmt=jpeg')`,
    ["Title \u0001\u001f\uFFFE with controls", INJECTION],
  );
  await db.sql.query(`INSERT INTO media_assets (source_url, state, content_type, bytes, storage_key, content_hash) VALUES ($1, 'stored', 'image/jpeg', 12345, $2, $3)`, [
    "http://mmbiz.qpic.cn/mmbiz_jpg/cover/0?wx_fmt=jpeg",
    KEY,
    `ab${"0".repeat(62)}`,
  ]);
  // a large feed: 60 articles of ~60 KB bodies (3.6 MB before bounds)
  const paragraph = `<p style="line-height:1.75em">${"近年来，各地积极探索，形成了一批可复制、可推广的经验做法。".repeat(20)}</p>`;
  for (let i = 0; i < 60; i++) {
    const t = new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString();
    await db.sql.query(`INSERT INTO published_articles (account_id, article_id, update_time, last_seen_at) VALUES (2, $1, $2, $2)`, [`b${i}`, t]);
    await db.sql.query(`INSERT INTO published_news_items (account_id, article_id, idx, title, content, url) VALUES (2, $1, 0, $2, $3, $4)`, [`b${i}`, `Big ${i}`, paragraph.repeat(3), `https://mp.weixin.qq.com/s/b${i}`]);
  }
  const config = {
    databaseUrl: db.url,
    redisPrefix: redis.prefix,
    accounts: [],
    http: { port: 0, host: "127.0.0.1", adminToken: undefined, publicUrl: PUBLIC_URL, trustProxy: true },
    media: loadMediaConfig({}, [], PUBLIC_URL),
    feeds: { maxEntries: 40, maxBytes: 1024 * 1024 },
  } as unknown as AppConfig;
  metrics = createMetrics({ defaultMetrics: false });
  ({ app, url: base } = await startHttpServer({ config, reads: createReadStore(db.prisma), redis: redis.redis, logger: createLogger("silent"), metrics }));
});

afterAll(async () => {
  await app?.close();
});

const renders = async (): Promise<number> => ((await metrics.registry.getSingleMetric("mpsync_feed_renders_total")!.get()).values.reduce((n, v) => n + v.value, 0));

describe("feeds of hostile content", () => {
  it.each(["atom", "rss"] as const)("%s: well-formed, nothing injected, control characters gone, bad URLs left out", async (format) => {
    const r = await fetch(`${base}/v1/feeds/${HOSTILE}.${format}`);
    expect(r.status).toBe(200);
    const body = await r.text();
    expect(xmlProblem(body)).toBeNull();
    expect(body).not.toMatch(/[\u0001\u0008\u001f\uFFFE]/);
    const doc = xml.parse(body);
    const entries = (format === "atom" ? asArray(doc.feed.entry) : asArray(doc.rss.channel.item)) as Record<string, any>[];
    const title = (e: Record<string, any>): string => (typeof e.title === "string" ? e.title : e.title["#text"]);
    expect(entries.map(title)).toEqual(["Mirrored cover", "Cover not mirrored", "Bad URLs", "Title  with controls"]);
    // the injected markup is text inside the body, not elements of the entry
    expect(JSON.stringify(doc)).not.toMatch(/"title":"INJECTED"|"@href":"https:\/\/phish/);
    const injected = entries[3]!;
    const bodyText = format === "atom" ? injected.content["#text"] : injected["content:encoded"];
    expect(bodyText).toContain("]]&gt;"); // the display HTML escapes the text; the XML escapes it again
    expect(bodyText).not.toContain("<title>");
    // an empty or invalid url is left out, never a broken link
    const links = (e: Record<string, any>) => (format === "atom" ? asArray(e.link).map((l: any) => l["@href"]) : asArray(e.link));
    expect(links(entries[2]!)).toEqual([]);
    expect(links(entries[3]!)).toEqual([]);
  });

  it("json: valid JSON Feed with the same entries and no invalid url", async () => {
    const r = await fetch(`${base}/v1/feeds/${HOSTILE}.json`);
    expect(r.status).toBe(200);
    const doc = (await r.json()) as { items: { title: string; url?: string; attachments?: unknown }[]; feed_url: string };
    expect(doc.items.map((i) => i.title)).toEqual(["Mirrored cover", "Cover not mirrored", "Bad URLs", "Title  with controls"]);
    expect(doc.items[2]!.url).toBeUndefined();
    expect(doc.feed_url).toBe(`${PUBLIC_URL}/v1/feeds/${HOSTILE}.json`);
  });

  it("an enclosure is the mirror with its real type and size; a cover without a mirror has none", async () => {
    const atom = xml.parse(await (await fetch(`${base}/v1/feeds/${HOSTILE}.atom`)).text());
    const [mirrored, unmirrored] = asArray(atom.feed.entry) as Record<string, any>[];
    const enclosure = asArray(mirrored!.link).find((l: any) => l["@rel"] === "enclosure");
    expect(enclosure).toEqual({ "@rel": "enclosure", "@href": `${PUBLIC_URL}/media/${KEY}`, "@type": "image/jpeg", "@length": "12345" });
    expect(asArray(unmirrored!.link).filter((l: any) => l["@rel"] === "enclosure")).toEqual([]);
    const rss = xml.parse(await (await fetch(`${base}/v1/feeds/${HOSTILE}.rss`)).text());
    expect(asArray(rss.rss.channel.item)[0].enclosure).toEqual({ "@url": `${PUBLIC_URL}/media/${KEY}`, "@type": "image/jpeg", "@length": "12345" });
    expect(JSON.stringify(rss)).not.toContain("mmbiz.qpic.cn/mmbiz_jpg/cover");
  });

  it("links come from PUBLIC_URL, never from Host or X-Forwarded-Host (even behind a trusted proxy)", async () => {
    for (const format of ["atom", "rss", "json"] as const) {
      const r = await app.inject({ url: `/v1/feeds/${HOSTILE}.${format}`, headers: { host: "evil.example", "x-forwarded-host": "evil.example", "x-forwarded-proto": "http" } });
      expect(r.statusCode).toBe(200);
      expect(r.body).not.toContain("evil.example");
      expect(r.body).toContain(`${PUBLIC_URL}/v1/feeds/${HOSTILE}.${format}`);
    }
  });
});

describe("a large feed", () => {
  it("50 concurrent requests share one render (health keeps answering meanwhile); a repeat and a 304 render nothing; a change renders again", async () => {
    const before = await renders();
    const burst = Array.from({ length: 50 }, () => fetch(`${base}/v1/feeds/${BIG}.json`).then(async (r) => ({ status: r.status, etag: r.headers.get("etag"), body: await r.text() })));
    const health = await fetch(`${base}/healthz`); // while the burst is in flight
    expect(health.status).toBe(200);
    const answers = await Promise.all(burst);
    expect(answers.every((a) => a.status === 200 && a.etag === answers[0]!.etag && a.body === answers[0]!.body)).toBe(true);
    expect((await renders()) - before).toBe(1);

    const again = await fetch(`${base}/v1/feeds/${BIG}.json`);
    expect(await again.text()).toBe(answers[0]!.body);
    const notModified = await fetch(`${base}/v1/feeds/${BIG}.json`, { headers: { "if-none-match": answers[0]!.etag! } });
    expect(notModified.status).toBe(304);
    expect((await renders()) - before).toBe(1);

    await db.sql.query(`UPDATE published_news_items SET title = 'Big 59, edited' WHERE account_id = 2 AND article_id = 'b59'`);
    await db.sql.query(`UPDATE published_articles SET last_seen_at = now() WHERE account_id = 2 AND article_id = 'b59'`);
    const changed = await fetch(`${base}/v1/feeds/${BIG}.json`, { headers: { "if-none-match": answers[0]!.etag! } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(answers[0]!.etag);
    expect(await changed.text()).toContain("Big 59, edited");
    expect((await renders()) - before).toBe(2);
  });

  it("stays within FEED_MAX_ENTRIES and FEED_MAX_BYTES, keeping the newest entries", async () => {
    for (const format of ["atom", "rss", "json"] as const) {
      const body = await (await fetch(`${base}/v1/feeds/${BIG}.${format}`)).text();
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(1024 * 1024);
      const titles: string[] =
        format === "json" ? (JSON.parse(body) as { items: { title: string }[] }).items.map((i) => i.title) : format === "atom" ? asArray(xml.parse(body).feed.entry).map((e: any) => e.title["#text"]) : asArray(xml.parse(body).rss.channel.item).map((i: any) => i.title);
      expect(titles.length).toBeGreaterThan(5);
      expect(titles.length).toBeLessThanOrEqual(40);
      expect(titles[0]).toMatch(/^Big 59/);
      expect(titles).toEqual(titles.map((_, i) => (i === 0 ? titles[0] : `Big ${59 - i}`)));
      if (format !== "json") expect(xmlProblem(body)).toBeNull();
    }
  });
});
