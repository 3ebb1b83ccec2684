// A pushed publish's media are mirrored: the push job asks for a media pass of the account
// (the media queue), which downloads the article's images and renders its display HTML.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSyncWorker, type SyncWorker } from "../../jobs/worker.ts";
import { loadMediaConfig } from "../../src/config/media.ts";
import { startHttpServer } from "../../src/http/server.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createMetrics } from "../../src/metrics/registry.ts";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import type { Simulator } from "../../src/simulator/index.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { until } from "../jobs/harness.ts";
import { APP_ID, appConfig, FAST_RETRY, simulator } from "../sync/harness.ts";
import { encodePush } from "../../src/wechat/push/index.ts";

const TOKEN = "mediaPushToken1";
const db = await createTestDatabase();
const redis = createTestRedis();
const dir = await mkdtemp(path.join(tmpdir(), "mpsync-push-media-"));
let sim: Simulator;
let runtime: Runtime;
let worker: SyncWorker;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  sim = await simulator({ media: { origin: "self" }, seed: { seed: 11, published: 2, maxNewsItems: 2, contentBytes: 600, materials: {} } });
  const media = loadMediaConfig({ MEDIA_STORE_URL: `file:${dir}`, MEDIA_SOURCE_HOSTS: new URL(sim.url).host }, []);
  const config = { ...appConfig(db, redis, sim.url), media };
  config.accounts[0]!.push = { token: TOKEN };
  runtime = createRuntime(config, { logger: createLogger("silent"), retry: FAST_RETRY, tokens: { pollMs: 5 } });
  worker = await startSyncWorker(runtime, { schedules: false });
  ({ app, url: base } = await startHttpServer({ config, reads: runtime.reads, redis: runtime.redis, logger: runtime.logger, metrics: createMetrics({ defaultMetrics: false }), pushes: runtime.pushes, enqueuePush: worker.enqueuePush }));
});

afterAll(async () => {
  await sim?.pushesSettled();
  await app?.close();
  await worker?.shutdown(5_000);
  await runtime?.close();
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("a pushed publish", () => {
  it("has its images mirrored and its display HTML rendered", async () => {
    // the list's quota spent: the walk the push asks for pauses, so only the push job's own request mirrors
    sim.setDailyLimits({ "/cgi-bin/freepublish/batchget": 0 });
    sim.setPush({ url: `${base}/wechat/push/${APP_ID}`, token: TOKEN, mode: "plaintext" });
    const [article] = sim.publish(1);
    await sim.pushesSettled();
    const id = article!.article_id;
    const rendered = await until(async () => {
      const r = await db.sql.query(`SELECT content_html, thumb_mirror_url FROM published_news_items WHERE article_id = $1 ORDER BY idx`, [id]);
      return r.rows.length === article!.news_item.length && r.rows.every((x) => x.content_html !== null && x.thumb_mirror_url !== null) ? r.rows : null;
    }, 30_000, "the pushed article's media mirrored");
    expect(rendered.every((r) => String(r.thumb_mirror_url).startsWith("/media/"))).toBe(true);
    const links = await db.sql.query(`SELECT count(*)::int AS n FROM media_links l JOIN media_assets a ON a.id = l.asset_id WHERE l.owner_key = $1 AND a.state = 'stored'`, [id]);
    expect(links.rows[0].n).toBeGreaterThan(0);
    const job = await db.sql.query(`SELECT outcome FROM publish_jobs j WHERE j.article_id = $1`, [id]);
    expect(job.rows[0].outcome).toBe("stored");
    const walks = await db.sql.query(`SELECT status FROM sync_runs WHERE mode = 'incremental'`);
    expect(walks.rows.every((w) => w.status === "paused")).toBe(true);
  });

  it("an encrypted push to an account with only a Token (plaintext mode) is refused: 401, nothing stored", async () => {
    const before = await db.sql.query(`SELECT count(*)::int AS n FROM push_events`);
    const message = `<xml><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[PUBLISHJOBFINISH]]></Event><PublishEventInfo><publish_id>1</publish_id><publish_status>3</publish_status></PublishEventInfo></xml>`;
    const { query, body } = encodePush(message, { token: TOKEN, aesKey: "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", appId: APP_ID }, "safe", { timestamp: "1700000000", nonce: "9", toUserName: "gh_x" });
    const r = await fetch(`${base}/wechat/push/${APP_ID}?${new URLSearchParams(query)}`, { method: "POST", headers: { "content-type": "text/xml" }, body });
    expect(r.status).toBe(401);
    expect((await db.sql.query(`SELECT count(*)::int AS n FROM push_events`)).rows[0].n).toBe(before.rows[0].n);
  });
});
