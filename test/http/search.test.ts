// GET /v1/search over real HTTP: what the public sees (live published news items), what the
// read token adds (material news, deleted content with include_deleted), 400s naming the
// field, and cursor pages that together are the whole result once.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppConfig } from "../../src/config/config.ts";
import { startHttpServer } from "../../src/http/server.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createMetrics } from "../../src/metrics/registry.ts";
import { createReadStore } from "../../src/store/read-store.ts";
import { upsertNewsItems } from "../../src/store/sql/upsert-news-items.ts";
import type { NewsItemRow } from "../../src/store/rows.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { newsItemRow } from "../helpers/news-item.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const READ = "search-reader-token-0123456789";
const servers: FastifyInstance[] = [];
let open = "";
let noTokens = "";
let searchOff = "";

const item = (title: string, content: string, isDeleted = false): NewsItemRow =>
  newsItemRow({ title, digest: `${title}的摘要`, content, url: `https://mp.weixin.qq.com/s/${title}`, isDeleted, contentHash: title });

// SEARCH_INDEX on (search is opt-in), but for the server that checks what "off" answers
const SEARCH_ON = { searchIndex: true };

async function server(http: Partial<AppConfig["http"]>, search = { index: true }): Promise<string> {
  const config = { databaseUrl: db.url, redisPrefix: redis.prefix, accounts: [], http: { port: 0, host: "127.0.0.1", adminToken: undefined, ...http }, search } as unknown as AppConfig;
  const s = await startHttpServer({ config, reads: createReadStore(db.prisma), redis: redis.redis, logger: createLogger("silent"), metrics: createMetrics({ defaultMetrics: false }) });
  servers.push(s.app);
  return s.url;
}

async function get(base: string, path: string, token?: string): Promise<{ status: number; body: any }> {
  const r = await fetch(base + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: r.status, body: await r.json() };
}

beforeAll(async () => {
  await db.sql.query(`INSERT INTO accounts (app_id) VALUES ('wxsearchapi00001')`);
  await db.sql.query(
    `INSERT INTO published_articles (account_id, article_id, create_time, update_time, is_deleted, deleted_at) VALUES
       (1, 'live', '2026-01-01Z', '2026-01-02Z', false, NULL), (1, 'gone', '2026-01-01Z', '2026-01-02Z', true, now())`,
  );
  await db.sql.query(`INSERT INTO materials (account_id, media_id, type, update_time) VALUES (1, 'draft', 'news', '2026-01-03Z')`);
  await upsertNewsItems(db.prisma, "published", 1, [
    { owner: "live", item: { ...item("春天来了", "<p>公众号 <b>&lt;春天&gt;</b> 的文章</p>"), idx: 0 } },
    { owner: "live", item: { ...item("删除的春天", "<p>这一条已删除</p>", true), idx: 1 } },
    { owner: "gone", item: item("已删文章的春天", "<p>文章已删</p>") },
  ], SEARCH_ON);
  await upsertNewsItems(db.prisma, "material", 1, [{ owner: "draft", item: item("草稿里的春天", "<p>素材</p>") }], SEARCH_ON);
  // many matches for paging
  await db.sql.query(`INSERT INTO published_articles (account_id, article_id, update_time) SELECT 1, 'many-' || i, now() FROM generate_series(1, 45) AS i`);
  await upsertNewsItems(
    db.prisma,
    "published",
    1,
    Array.from({ length: 45 }, (_, i) => ({ owner: `many-${i + 1}`, item: item(`夏天${i}`, `<p>${"夏天 ".repeat(1 + (i % 4))}第${i}篇</p>`) })),
    SEARCH_ON,
  );
  open = await server({ readApiToken: READ });
  noTokens = await server({});
  searchOff = await server({ readApiToken: READ }, { index: false });
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const keys = (body: any): string[] => body.data.map((d: any) => `${d.source}:${d.article_id ?? d.media_id}:${d.idx}`).sort();

describe("GET /v1/search", () => {
  it("the public sees live published news items, with a marked, escaped snippet", async () => {
    const r = await get(open, "/v1/search?q=春天");
    expect(r.status).toBe(200);
    expect(keys(r.body)).toEqual(["published:live:0"]);
    expect(r.body.data[0]).toEqual({
      source: "published",
      article_id: "live",
      account: "wxsearchapi00001",
      idx: 0,
      title: "春天来了",
      digest: "春天来了的摘要",
      snippet: "公众号 &lt;<mark>春天</mark>&gt; 的文章",
      url: "https://mp.weixin.qq.com/s/春天来了",
      create_time: "2026-01-01T00:00:00.000Z",
      update_time: "2026-01-02T00:00:00.000Z",
      is_deleted: false,
      rank: expect.any(Number),
    });
    expect(r.body.next_cursor).toBeNull();
  });

  it("the read token adds material news; deleted content needs include_deleted too", async () => {
    expect(keys((await get(open, "/v1/search?q=春天", READ)).body)).toEqual(["material:draft:0", "published:live:0"]);
    expect(keys((await get(open, "/v1/search?q=春天&source=published", READ)).body)).toEqual(["published:live:0"]);
    const all = await get(open, "/v1/search?q=春天&include_deleted=true", READ);
    expect(keys(all.body)).toEqual(["material:draft:0", "published:gone:0", "published:live:0", "published:live:1"]);
    expect(all.body.data.filter((d: any) => d.is_deleted).map((d: any) => `${d.article_id}:${d.idx}`).sort()).toEqual(["gone:0", "live:1"]);
  });

  it("material news and deleted content without the token: 401, or 403 where no token is set", async () => {
    for (const path of ["/v1/search?q=春天&source=material", "/v1/search?q=春天&source=all", "/v1/search?q=春天&include_deleted=true"]) {
      expect((await get(open, path)).status, path).toBe(401);
      expect((await get(open, path, "wrong-token")).status, path).toBe(401);
      expect((await get(noTokens, path)).status, path).toBe(403);
    }
  });

  it("bad input is a 400 naming the field", async () => {
    for (const [path, field] of [
      ["/v1/search", "q"],
      ["/v1/search?q=", "q"],
      ["/v1/search?q=%20the%20", "q"],
      ["/v1/search?q=-春天", "q"],
      ["/v1/search?q=春天&cursor=nonsense", "cursor"],
      ["/v1/search?q=春天&limit=0", "limit"],
      ["/v1/search?q=春天&account=wxnobody", "account"],
      ["/v1/search?q=春天&sort=new", "sort"],
    ] as const) {
      const r = await get(open, path);
      expect(r.status, path).toBe(400);
      expect(r.body.field, path).toBe(field);
    }
  });

  it("cursor pages are the whole result once, best first", async () => {
    const seen: string[] = [];
    const ranks: number[] = [];
    let cursor: string | null = null;
    do {
      const r: { status: number; body: any } = await get(open, `/v1/search?q=夏天&limit=7${cursor ? `&cursor=${cursor}` : ""}`);
      expect(r.status).toBe(200);
      expect(r.body.data.length).toBeLessThanOrEqual(7);
      seen.push(...r.body.data.map((d: any) => d.article_id));
      ranks.push(...r.body.data.map((d: any) => d.rank));
      cursor = r.body.next_cursor;
    } while (cursor);
    expect(seen.length).toBe(45);
    expect(new Set(seen).size).toBe(45);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
  });

  it("with SEARCH_INDEX off: 409 search_disabled naming the setting, whatever the query, token or not", async () => {
    for (const [path, token] of [["/v1/search?q=春天", undefined], ["/v1/search?q=春天&source=all", READ], ["/v1/search", READ]] as const) {
      const r = await get(searchOff, path, token);
      expect(r.status, path).toBe(409);
      expect(r.body, path).toEqual({ error: "search_disabled", message: expect.stringContaining("SEARCH_INDEX=true") });
    }
  });
});
