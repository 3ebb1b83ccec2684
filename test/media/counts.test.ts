// One vocabulary of counts: URLs (distinct media URLs, by state), objects (distinct stored
// files) and references (places in synced rows that use a URL) are the same numbers under
// the same names in `mpsync media status`, the run summary, the console and /metrics.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { httpLogin } from "../helpers/console-login.ts";
import { startSyncedConsole, type SyncedConsole } from "../helpers/synced-console.ts";
import { childEnv, runMpsync, until } from "../jobs/harness.ts";
import { APP_ID } from "../sync/harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const ADMIN_TOKEN = "counts-Admin-Token-0123456789";
let c: SyncedConsole;
let truth: { urls: number; stored: number; objects: number; references: number };
let env: Record<string, string>;

beforeAll(async () => {
  c = await startSyncedConsole(db, redis, { adminToken: ADMIN_TOKEN, seed: { seed: 11, published: 40, maxNewsItems: 3, contentBytes: 1500, materials: { image: 4, video: 1, voice: 1, news: 2 } } });
  const q = async (sql: string): Promise<number> => (await db.sql.query(sql)).rows[0].n;
  // the worker's passes (one per finished run) are done: every row rendered, nothing pending
  await until(
    async () =>
      (await q(`SELECT ((SELECT count(*) FROM published_news_items WHERE media_render_key IS NULL) + (SELECT count(*) FROM material_news_items WHERE media_render_key IS NULL)
                 + (SELECT count(*) FROM materials WHERE type = 'image' AND media_render_key IS NULL) + (SELECT count(*) FROM media_assets WHERE state = 'pending'))::int AS n`)) === 0 || null,
    60_000,
    "every media pass done",
  );
  truth = {
    urls: await q(`SELECT count(*)::int AS n FROM media_assets`),
    stored: await q(`SELECT count(*)::int AS n FROM media_assets WHERE state = 'stored'`),
    objects: await q(`SELECT count(DISTINCT content_hash)::int AS n FROM media_assets WHERE state = 'stored'`),
    references: await q(`SELECT count(*)::int AS n FROM media_links`),
  };
  // the three differ: shared images (objects < URLs), an image used by several rows (references > URLs)
  expect(truth.objects).toBeLessThan(truth.urls);
  expect(truth.references).toBeGreaterThan(truth.urls);
  env = { ...childEnv(db, redis, c.sim), MEDIA_SOURCE_HOSTS: new URL(c.sim.url).host, MEDIA_STORE_URL: `file:${c.mediaDir}`, LOG_LEVEL: "warn" };
}, 120_000);

afterAll(async () => {
  await c?.close();
});

describe("counts", () => {
  it("mpsync media status names URLs, objects and references", async () => {
    const json = await runMpsync(["media", "status", "--json"], env);
    expect(json.code, json.all).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ urls: truth.urls, stored: { count: truth.stored }, objects: { count: truth.objects }, references: truth.references });
    const text = await runMpsync(["media", "status"], env);
    expect(text.code, text.all).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^URLs +${truth.urls} URLs \\(${truth.stored} stored, 0 pending, 0 failed \\(0 to be retried\\), 0 gone\\)$`, "m"));
    expect(text.stdout).toMatch(new RegExp(`^objects +${truth.objects} objects \\(`, "m"));
    expect(text.stdout).toMatch(new RegExp(`^references +${truth.references}$`, "m"));
  });

  it("the run summary of a pass says the same", async () => {
    const r = await runMpsync(["media", "sync"], env);
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toContain(`| ${truth.urls} URLs (${truth.stored} stored, 0 pending, 0 failed, 0 gone), ${truth.objects} objects (`);
    expect(r.stdout).toMatch(new RegExp(`, ${truth.references} references$`, "m"));
  });

  it("the console's overview and /metrics say the same", async () => {
    const login = await httpLogin(c.base, ADMIN_TOKEN);
    expect(login.status).toBe(303);
    const page = await (await fetch(`${c.base}/`, { headers: { cookie: login.cookie } })).text();
    const block = new RegExp(`data-account="${APP_ID}"[\\s\\S]*?<div class="media">([\\s\\S]*?)</div>`).exec(page)?.[1]?.replace(/<[^>]+>/g, "");
    expect(block).toContain(`Media: ${truth.urls} URLs (${truth.stored} stored · 0 pending · 0 failed (0 to be retried) · 0 gone) · ${truth.objects} objects (`);
    expect(block).toContain(`· ${truth.references} references`);
    // the gauges follow the worker's last pass
    const metrics = await until(async () => {
      const text = await (await fetch(`${c.base}/metrics`)).text();
      return text.includes(`mpsync_media_urls{state="stored"} ${truth.stored}`) ? text : null;
    }, 30_000, "the media gauges");
    expect(metrics).toContain(`mpsync_media_objects ${truth.objects}`);
    expect(metrics).toContain(`mpsync_media_references ${truth.references}`);
  });
});
