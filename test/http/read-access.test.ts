// Who may read what, every /v1 route in every mode: public by default (live articles,
// their HTML, feeds); materials, deleted content and /v1/changes need READ_API_TOKEN (or
// ADMIN_TOKEN) and are disabled (403) when neither is set; READ_API_PUBLIC=false makes
// every route need the token.
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
const APP = "wxaccess000000001";
const READ = "reader-token-0123456789abcdef";
const ADMIN = "admin-token-0123456789abcdef";
const servers: FastifyInstance[] = [];

async function server(http: Partial<AppConfig["http"]>): Promise<string> {
  // wrong tokens from one address across the table: the failure limit is auth-limits.test.ts's subject
  const config = { databaseUrl: db.url, redisPrefix: redis.prefix, accounts: [], http: { port: 0, host: "127.0.0.1", adminToken: undefined, authFailuresPerMinute: 1_000, ...http } } as unknown as AppConfig;
  const s = await startHttpServer({ config, reads: createReadStore(db.prisma), redis: redis.redis, logger: createLogger("silent"), metrics: createMetrics({ defaultMetrics: false }) });
  servers.push(s.app);
  return s.url;
}

const ROUTES = {
  articles: "/v1/articles",
  article: "/v1/articles/live-1",
  deletedList: "/v1/articles?include_deleted=true",
  deletedArticle: "/v1/articles/gone-1",
  materials: "/v1/materials",
  changes: "/v1/changes",
  atom: `/v1/feeds/${APP}.atom`,
  rss: `/v1/feeds/${APP}.rss`,
  json: `/v1/feeds/${APP}.json`,
} as const;
type Route = keyof typeof ROUTES;

const urls: Record<string, string> = {};

beforeAll(async () => {
  await db.sql.query(`INSERT INTO accounts (app_id) VALUES ($1)`, [APP]);
  await db.sql.query(
    `INSERT INTO published_articles (account_id, article_id, update_time, is_deleted, deleted_at) VALUES
       (1, 'live-1', now(), false, NULL), (1, 'gone-1', now(), true, now())`,
  );
  await db.sql.query(`INSERT INTO published_news_items (account_id, article_id, idx, title, content, url) VALUES (1, 'live-1', 0, 'Live', '<p>x</p>', 'https://mp.example/1'), (1, 'gone-1', 0, 'Gone', '<p>y</p>', 'https://mp.example/2')`);
  // a live article whose second news item was deleted: deleted content too
  await db.sql.query(`INSERT INTO published_news_items (account_id, article_id, idx, title, digest, content, url, is_deleted) VALUES (1, 'live-1', 1, 'Withdrawn secret', 'secret digest', '<p>withdrawn</p>', 'https://mp.example/1b', true)`);
  await db.sql.query(`INSERT INTO materials (account_id, media_id, type, name) VALUES (1, 'img-1', 'image', 'private.jpg')`);
  await db.sql.query(`INSERT INTO content_changes (account_id, type, item_key, data) VALUES (1, 'article.published', 'live-1', '{"article_id":"live-1"}')`);
  urls.open = await server({});
  urls.token = await server({ readApiToken: READ, adminToken: ADMIN });
  urls.closed = await server({ readApiToken: READ, readApiPublic: false });
  urls.closedNoToken = await server({ readApiPublic: false });
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function status(mode: string, route: Route, token?: string): Promise<number> {
  const r = await fetch(urls[mode] + ROUTES[route], { headers: token ? { authorization: `Bearer ${token}` } : {} });
  await r.arrayBuffer();
  return r.status;
}

/** The expected status of every route. */
const table = (s: Record<Route, number>) => s;

describe("read API access", () => {
  it.each([
    ["public, no token configured: protected parts disabled", "open", undefined, table({ articles: 200, article: 200, deletedList: 403, deletedArticle: 404, materials: 403, changes: 403, atom: 200, rss: 200, json: 200 })],
    ["public with READ_API_TOKEN, anonymous", "token", undefined, table({ articles: 200, article: 200, deletedList: 401, deletedArticle: 404, materials: 401, changes: 401, atom: 200, rss: 200, json: 200 })],
    ["public with READ_API_TOKEN, wrong token", "token", "not-the-token-0123456789", table({ articles: 200, article: 200, deletedList: 401, deletedArticle: 404, materials: 401, changes: 401, atom: 200, rss: 200, json: 200 })],
    ["public with READ_API_TOKEN, reader token", "token", READ, table({ articles: 200, article: 200, deletedList: 200, deletedArticle: 200, materials: 200, changes: 200, atom: 200, rss: 200, json: 200 })],
    ["public with READ_API_TOKEN, admin token", "token", ADMIN, table({ articles: 200, article: 200, deletedList: 200, deletedArticle: 200, materials: 200, changes: 200, atom: 200, rss: 200, json: 200 })],
    ["READ_API_PUBLIC=false, anonymous", "closed", undefined, table({ articles: 401, article: 401, deletedList: 401, deletedArticle: 401, materials: 401, changes: 401, atom: 401, rss: 401, json: 401 })],
    ["READ_API_PUBLIC=false, reader token", "closed", READ, table({ articles: 200, article: 200, deletedList: 200, deletedArticle: 200, materials: 200, changes: 200, atom: 200, rss: 200, json: 200 })],
    ["READ_API_PUBLIC=false and no token: everything disabled", "closedNoToken", undefined, table({ articles: 403, article: 403, deletedList: 403, deletedArticle: 403, materials: 403, changes: 403, atom: 403, rss: 403, json: 403 })],
  ])("%s", async (_name, mode, token, want) => {
    const got: Record<string, number> = {};
    for (const route of Object.keys(ROUTES) as Route[]) got[route] = await status(mode, route, token);
    expect(got).toEqual(want);
  });

  it("the anonymous article list never shows a deleted article; a 401 says nothing of the token", async () => {
    const r = await fetch(urls.token + "/v1/articles");
    const body = (await r.json()) as { data: { article_id: string }[] };
    expect(body.data.map((a) => a.article_id)).toEqual(["live-1"]);
    const denied = await fetch(urls.token + "/v1/materials", { headers: { authorization: "Bearer wrong-token-0123456789" } });
    const text = await denied.text();
    expect(denied.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(text).not.toContain(READ);
    expect(text).not.toContain("wrong-token");
  });

  it("a live article's deleted news item is left out of lists, details, search and feeds unless the token and include_deleted are given", async () => {
    const get = async (path: string, token?: string) => {
      const r = await fetch(urls.token + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      return { status: r.status, text: await r.text() };
    };
    for (const token of [undefined, READ]) {
      // the token alone does not ask for deleted content
      const list = await get("/v1/articles", token);
      expect(list.status).toBe(200);
      expect(JSON.parse(list.text).data[0].news_items.map((n: { idx: number }) => n.idx)).toEqual([0]);
      const detail = await get("/v1/articles/live-1", token);
      expect(detail.status).toBe(200);
      expect(detail.text).not.toMatch(/Withdrawn|withdrawn|secret/);
      const search = await get("/v1/articles?q=secret", token);
      expect(JSON.parse(search.text).data).toEqual([]);
    }
    for (const feed of ["atom", "rss", "json"] as const) expect((await get(ROUTES[feed])).text).not.toContain("Withdrawn");
    // include_deleted without the token: 401, also on the detail route
    expect((await get("/v1/articles/live-1?include_deleted=true")).status).toBe(401);
    expect((await get("/v1/articles?q=secret&include_deleted=true")).status).toBe(401);
    // with both: there it is
    const detail = await get("/v1/articles/live-1?include_deleted=true", READ);
    expect(JSON.parse(detail.text).news_items.map((n: { idx: number; is_deleted: boolean }) => [n.idx, n.is_deleted])).toEqual([[0, false], [1, true]]);
    const search = await get("/v1/articles?q=secret&include_deleted=true", READ);
    expect(JSON.parse(search.text).data.map((a: { article_id: string }) => a.article_id)).toEqual(["live-1"]);
  });

  it("health and metrics stay open in every mode", async () => {
    for (const mode of ["closed", "closedNoToken"]) expect((await fetch(urls[mode] + "/healthz")).status).toBe(200);
  });
});
