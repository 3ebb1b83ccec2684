// Configuration changes take effect on what is stored: a host added to MEDIA_SOURCE_HOSTS
// after content was synced gets its references recorded, downloaded and rendered by the
// next media pass, from the stored bodies, with no WeChat call; removed again, the display
// columns go back to the original URLs.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument, DomUtils } from "htmlparser2";
import { loadMediaConfig } from "../../src/config/media.ts";
import { syncInline } from "../../src/cli/commands/sync.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createMediaService } from "../../src/media/service.ts";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import type { Simulator } from "../../src/simulator/index.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { appConfig, FAST_RETRY, simulator } from "../sync/harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const dir = await mkdtemp(path.join(tmpdir(), "mpsync-media-config-"));
let sim: Simulator;
let runtime: Runtime;

const srcs = (html: string): string[] => DomUtils.getElementsByTagName("img", parseDocument(html).children, true).map((e) => e.attribs.src ?? "");

async function passWith(hosts: string) {
  const media = createMediaService({ config: { media: loadMediaConfig({ MEDIA_STORE_URL: `file:${dir}`, MEDIA_SOURCE_HOSTS: hosts }, []) }, prisma: runtime.prisma, logger: createLogger("silent") });
  try {
    return await media.mirror.pass();
  } finally {
    await media.close();
  }
}

beforeAll(async () => {
  sim = await simulator({ media: { origin: "self" }, seed: { seed: 41, published: 10, maxNewsItems: 2, contentBytes: 800, materials: { image: 3, video: 0, voice: 0, news: 2 } } });
  // synced while the simulator's CDN host was not on the list
  const media = loadMediaConfig({ MEDIA_STORE_URL: `file:${dir}`, MEDIA_SOURCE_HOSTS: "cdn.example.com" }, []);
  runtime = createRuntime({ ...appConfig(db, redis, sim.url), media }, { logger: createLogger("silent"), retry: FAST_RETRY, tokens: { pollMs: 5 } });
});

afterAll(async () => {
  await runtime?.close();
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("MEDIA_SOURCE_HOSTS changes", () => {
  it("content synced before the host was listed references nothing on it", async () => {
    const lines: string[] = [];
    const results = await syncInline(runtime, { full: true, inline: true }, (l) => lines.push(l));
    expect(results.every((r) => r.status === "succeeded")).toBe(true);
    expect((await db.sql.query(`SELECT count(*)::int AS n FROM media_assets`)).rows[0].n).toBe(0);
  });

  it("a host added to the list is recorded, mirrored and rendered by the next pass, from the stored bodies", async () => {
    sim.resetCounters();
    const r = await passWith(new URL(sim.url).host);
    expect(sim.counters().calls).toEqual({}); // no WeChat call: the stored bodies are read
    expect(r.discovered).toBeGreaterThan(20);
    expect(r.downloaded + r.reused).toBe(r.discovered);
    const { rows } = await db.sql.query(`SELECT content_html, thumb_mirror_url FROM published_news_items WHERE NOT is_deleted`);
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) {
      expect(row.thumb_mirror_url).toMatch(/^\/media\//);
      for (const src of srcs(row.content_html)) expect(src).toMatch(/^\/media\//);
    }
    const mats = await db.sql.query(`SELECT mirror_url FROM materials WHERE type = 'image'`);
    for (const m of mats.rows) expect(m.mirror_url).toMatch(/^\/media\//);
    const again = await passWith(`${new URL(sim.url).host}`);
    expect(again).toMatchObject({ scanned: 0, discovered: 0, downloaded: 0, rendered: 0 });
  });

  it("a host removed from the list: display columns show the original URLs again; its due assets are not asked for", async () => {
    // an asset due again (as after "Retry failed media") whose host is then removed
    const due = (await db.sql.query(`UPDATE media_assets SET state = 'pending', storage_key = NULL, content_hash = NULL WHERE id = (SELECT min(id) FROM media_assets) RETURNING id, attempts`)).rows[0];
    sim.resetCounters();
    const r = await passWith("cdn.example.com");
    expect(sim.mediaCounters().requests).toEqual({});
    expect((await db.sql.query(`SELECT state, attempts FROM media_assets WHERE id = $1`, [due.id])).rows[0]).toEqual({ state: "pending", attempts: due.attempts });
    expect(r.rendered).toBeGreaterThan(5);
    const { rows } = await db.sql.query(`SELECT content_html, thumb_mirror_url FROM published_news_items WHERE NOT is_deleted`);
    for (const row of rows) {
      expect(row.thumb_mirror_url).toBeNull();
      for (const src of srcs(row.content_html)) expect(src.startsWith(sim.mediaOrigin)).toBe(true);
    }
    expect((await db.sql.query(`SELECT count(*)::int AS n FROM media_links`)).rows[0].n).toBe(0);
  });
});
