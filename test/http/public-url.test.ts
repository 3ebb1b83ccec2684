// PUBLIC_URL makes every mirror URL absolute (content_html, thumb_mirror_url, mirror_url):
// a website on another origin that embeds content_html gets images that load.
// MEDIA_PUBLIC_BASE_URL still wins (a CDN); without either they stay root-relative, and a
// bad value is one problem naming the setting.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type AppConfig } from "../../src/config/config.ts";
import { ConfigError } from "../../src/config/errors.ts";
import { startHttpServer } from "../../src/http/server.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createMetrics } from "../../src/metrics/registry.ts";
import { createReadStore } from "../../src/store/read-store.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const READ = "reader-token-0123456789abcdef";
const KEY = `cd/cd${"1".repeat(62)}.png`;
const THUMB = "http://mmbiz.qpic.cn/mmbiz_png/thumb/0?wx_fmt=png";
const BODY_IMG = "http://mmbiz.qpic.cn/mmbiz_png/body/640?wx_fmt=png";
const servers: FastifyInstance[] = [];

async function server(env: Record<string, string>): Promise<string> {
  const config: AppConfig = { ...loadConfig({ DATABASE_URL: db.url, ...env }), redisPrefix: redis.prefix };
  config.http = { ...config.http, port: 0, host: "127.0.0.1", readApiToken: READ };
  const s = await startHttpServer({ config, reads: createReadStore(db.prisma), redis: redis.redis, logger: createLogger("silent"), metrics: createMetrics({ defaultMetrics: false }) });
  servers.push(s.app);
  return s.url;
}

beforeAll(async () => {
  await db.sql.query(`INSERT INTO accounts (app_id) VALUES ('wxpublicurl000001')`);
  await db.sql.query(`INSERT INTO published_articles (account_id, article_id, update_time) VALUES (1, 'p1', now())`);
  await db.sql.query(`INSERT INTO published_news_items (account_id, article_id, idx, title, content, thumb_url) VALUES (1, 'p1', 0, 't', $1, $2)`, [
    `<p><img data-src="${BODY_IMG}"></p>`,
    THUMB,
  ]);
  await db.sql.query(`INSERT INTO materials (account_id, media_id, type, name, url) VALUES (1, 'm1', 'image', 'x.png', $1)`, [THUMB]);
  for (const url of [THUMB, BODY_IMG]) await db.sql.query(`INSERT INTO media_assets (source_url, state, content_type, bytes, storage_key) VALUES ($1, 'stored', 'image/png', 10, $2)`, [url, KEY]);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function mirrorUrls(base: string): Promise<string[]> {
  const article = (await (await fetch(`${base}/v1/articles/p1`)).json()) as { thumb_mirror_url: string; news_items: { content_html: string; thumb_mirror_url: string }[] };
  const materials = (await (await fetch(`${base}/v1/materials`, { headers: { authorization: `Bearer ${READ}` } })).json()) as { data: { mirror_url: string }[] };
  const img = /<img src="([^"]+)"/.exec(article.news_items[0]!.content_html)![1]!;
  return [img, article.thumb_mirror_url, article.news_items[0]!.thumb_mirror_url, materials.data[0]!.mirror_url];
}

describe("PUBLIC_URL", () => {
  it("makes content_html, thumb_mirror_url and mirror_url absolute", async () => {
    const base = await server({ PUBLIC_URL: "https://news.example.com/sync/" });
    expect(await mirrorUrls(base)).toEqual(Array(4).fill(`https://news.example.com/sync/media/${KEY}`));
  });

  it("MEDIA_PUBLIC_BASE_URL still names a CDN instead", async () => {
    const base = await server({ PUBLIC_URL: "https://news.example.com", MEDIA_PUBLIC_BASE_URL: "https://cdn.example.com/m" });
    expect(await mirrorUrls(base)).toEqual(Array(4).fill(`https://cdn.example.com/m/${KEY}`));
  });

  it("without either, mirror URLs are root-relative (what the worker warns about)", async () => {
    const base = await server({});
    expect(await mirrorUrls(base)).toEqual(Array(4).fill(`/media/${KEY}`));
  });

  it("a bad value is one problem naming the setting", () => {
    for (const bad of ["news.example.com", "ftp://news.example.com", "https://news.example.com/?a=1", "https://user:pw@news.example.com"]) {
      try {
        loadConfig({ PUBLIC_URL: bad });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as ConfigError).problems).toEqual([`PUBLIC_URL must be an http(s) URL (got "${bad}")`]);
      }
    }
  });
});
