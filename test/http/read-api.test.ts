// The read API over rows seeded with SQL: validation (400 naming the field), keyset pages
// through thousands of rows without gaps or repeats, keyword search, one article, materials.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import type { AppConfig } from "../../src/config/config.ts";
import { startHttpServer } from "../../src/http/server.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createMetrics } from "../../src/metrics/registry.ts";
import { createReadStore } from "../../src/store/read-store.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const TOTAL = 3_000;
let app: FastifyInstance;
let base: string;

// materials and deleted rows need the reader token (access rules: test/http/read-access.test.ts)
const READ_TOKEN = "read-api-test-token-0123456789";

async function get(path: string): Promise<{ status: number; body: any }> {
  const r = await fetch(base + path, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
  return { status: r.status, body: await r.json() };
}

beforeAll(async () => {
  await db.sql.query(`INSERT INTO accounts (app_id) VALUES ('wxreadapi00000001'), ('wxreadapi00000002')`);
  // many equal update_times (ties broken by id), some without one, some deleted
  await db.sql.query(
    `INSERT INTO published_articles (account_id, article_id, update_time, create_time, is_deleted, deleted_at)
     SELECT CASE WHEN i % 10 = 0 THEN 2 ELSE 1 END, 'art-' || lpad(i::text, 5, '0'),
            CASE WHEN i % 97 = 0 THEN NULL ELSE timestamptz '2026-01-01T00:00:00Z' + ((i % 40) || ' minutes')::interval END,
            timestamptz '2025-12-01T00:00:00Z', i % 13 = 0, CASE WHEN i % 13 = 0 THEN now() END
       FROM generate_series(1, $1) AS i`,
    [TOTAL],
  );
  await db.sql.query(
    `INSERT INTO published_news_items (account_id, article_id, idx, title, digest, content, url)
     SELECT a.account_id, a.article_id, 0,
            CASE WHEN a.id % 25 = 0 THEN 'Spring 100% festival ' || a.article_id ELSE 'Title ' || a.article_id END,
            CASE WHEN a.id % 31 = 0 THEN 'about the spring harvest' ELSE 'digest' END, '<p>body</p>', 'https://mp.example/' || a.article_id
       FROM published_articles a`,
  );
  await db.sql.query(
    `INSERT INTO materials (account_id, media_id, type, name, update_time)
     SELECT 1, 'media-' || i, (ARRAY['image','video','voice','news'])[1 + i % 4], 'name ' || i, timestamptz '2026-02-01T00:00:00Z' + (i || ' seconds')::interval
       FROM generate_series(1, 40) AS i`,
  );
  await db.sql.query(`INSERT INTO material_news_items (account_id, media_id, idx, title) SELECT account_id, media_id, 0, 'news ' || media_id FROM materials WHERE type = 'news'`);
  const config = {
    databaseUrl: db.url,
    redisPrefix: redis.prefix,
    accounts: [],
    http: { port: 0, host: "127.0.0.1", adminToken: undefined, readApiToken: READ_TOKEN },
  } as unknown as AppConfig;
  const started = await startHttpServer({ config, reads: createReadStore(db.prisma), redis: redis.redis, logger: createLogger("silent"), metrics: createMetrics({ defaultMetrics: false }) });
  app = started.app;
  base = started.url;
});

afterAll(async () => {
  await app?.close();
});

async function walk(query: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1_000; page++) {
    const r = await get(`/v1/articles?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(r.status).toBe(200);
    expect(r.body.data.length).toBeLessThanOrEqual(limit);
    ids.push(...r.body.data.map((a: { article_id: string }) => a.article_id));
    cursor = r.body.next_cursor;
    if (!cursor) return ids;
  }
  throw new Error("pagination did not end");
}

const expectedOrder = async (where: string): Promise<string[]> =>
  (await db.sql.query<{ article_id: string }>(`SELECT article_id FROM published_articles a WHERE ${where} ORDER BY update_time DESC NULLS LAST, id DESC`)).rows.map(
    (r) => r.article_id,
  );

describe("GET /v1/articles", () => {
  it("pages through thousands of rows without gaps or repeats, in order", async () => {
    const ids = await walk("", 100);
    const want = await expectedOrder("NOT is_deleted");
    expect(want.length).toBeGreaterThan(2_500);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(want);
  });

  it("includes deleted rows on request, filters by account and update time", async () => {
    expect(await walk("&include_deleted=true", 97)).toEqual(await expectedOrder("TRUE"));
    expect(await walk("&account=wxreadapi00000002", 100)).toEqual(await expectedOrder("account_id = 2 AND NOT is_deleted"));
    expect(await walk(`&updated_since=${encodeURIComponent("2026-01-01T00:30:00+00:00")}`, 100)).toEqual(
      await expectedOrder(`NOT is_deleted AND update_time >= '2026-01-01T00:30:00Z'`),
    );
  });

  it("searches title and digest for a keyword, wildcards taken literally", async () => {
    const matching = await expectedOrder(
      `NOT is_deleted AND EXISTS (SELECT 1 FROM published_news_items n WHERE n.article_id = a.article_id AND (n.title ILIKE '%spring%' OR n.digest ILIKE '%spring%'))`,
    );
    expect(matching.length).toBeGreaterThan(100);
    expect(await walk("&q=SPRING", 50)).toEqual(matching);
    const literal = await walk(`&q=${encodeURIComponent("100%")}`, 100);
    expect(literal).toEqual(await expectedOrder(`NOT is_deleted AND id % 25 = 0`));
    expect(await walk(`&q=${encodeURIComponent("1_0")}`, 100)).toEqual([]);
  });

  it.each([
    ["limit=0", "limit"],
    ["limit=101", "limit"],
    ["limit=ten", "limit"],
    ["updated_since=yesterday", "updated_since"],
    ["include_deleted=maybe", "include_deleted"],
    ["cursor=bm90LWEtY3Vyc29y", "cursor"],
    ["cursor=%7B%7D", "cursor"],
    ["colour=blue", "colour"],
    ["account=wxnotsynced", "account"],
    // a repeated parameter is ambiguous: refused by name (not "expected number, received NaN")
    ["limit=5&limit=6", "limit"],
    ["q=a&q=b", "q"],
  ])("rejects %s with 400 naming %s", async (query, field) => {
    const r = await get(`/v1/articles?${query}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: "invalid_parameter", field });
    if (query.includes("&")) expect(r.body.message).toBe(`${field}: is given more than once; give it once`);
  });
});

describe("read API input and errors (issue 9, case 10)", () => {
  it("updated_since accepts a date alone (midnight UTC) as well as a date-time", async () => {
    const since = await expectedOrder(`NOT is_deleted AND update_time >= '2026-01-01T00:00:00Z'`);
    expect(since.length).toBeGreaterThan(2_000); // rows without update_time are left out
    expect(await walk("&updated_since=2026-01-01", 100)).toEqual(since);
    expect(await walk("&updated_since=2026-01-02", 100)).toEqual([]);
    const r = await get("/v1/articles?updated_since=2026-13-40");
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: "invalid_parameter", field: "updated_since" });
  });

  it("an unknown route answers 404 in the documented error shape", async () => {
    const r = await get("/v1/nothing-here?x=1");
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: "not_found", message: "no route GET /v1/nothing-here" });
  });
});

describe("GET /v1/articles/:article_id and /v1/materials", () => {
  it("returns one article with its news items and content; 404 when unknown", async () => {
    const r = await get("/v1/articles/art-00075");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ article_id: "art-00075", account: "wxreadapi00000001", is_deleted: false, update_time: "2026-01-01T00:35:00.000Z" });
    expect(r.body.news_items).toEqual([expect.objectContaining({ idx: 0, title: "Spring 100% festival art-00075", content: "<p>body</p>" })]);
    expect((await get("/v1/articles/art-99999")).status).toBe(404);
  });

  it("filters materials by type, with news items for news materials", async () => {
    const r = await get("/v1/materials?type=news&limit=100");
    expect(r.status).toBe(200);
    expect(r.body.data).toHaveLength(10);
    for (const m of r.body.data) expect(m.news_items).toEqual([expect.objectContaining({ title: `news ${m.media_id}` })]);
    const images = await get("/v1/materials?type=image&limit=4");
    expect(images.body.data.map((m: { type: string }) => m.type)).toEqual(["image", "image", "image", "image"]);
    const rest = await get(`/v1/materials?type=image&limit=100&cursor=${images.body.next_cursor}`);
    expect(rest.body.data).toHaveLength(6);
    expect((await get("/v1/materials?type=gif")).body).toMatchObject({ error: "invalid_parameter", field: "type" });
  });
});
