// The media job in the worker: a finished sync run asks for a media pass of its account on
// the media queue (its own BullMQ worker), which mirrors what the run synced.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueSync } from "../../jobs/enqueue.ts";
import { startSyncWorker, type SyncWorker } from "../../jobs/worker.ts";
import { loadMediaConfig } from "../../src/config/media.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createMetrics } from "../../src/metrics/registry.ts";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import type { Simulator } from "../../src/simulator/index.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { until } from "../jobs/harness.ts";
import { APP_ID, appConfig, FAST_RETRY, simulator } from "../sync/harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const dir = await mkdtemp(path.join(tmpdir(), "mpsync-media-worker-"));
let sim: Simulator;
let runtime: Runtime;
let worker: SyncWorker;
const metrics = createMetrics({ defaultMetrics: false });

beforeAll(async () => {
  sim = await simulator({ media: { origin: "self" }, seed: { seed: 9, published: 5, maxNewsItems: 1, contentBytes: 400, materials: { image: 6, video: 0, voice: 0, news: 0 } } });
  const media = loadMediaConfig({ MEDIA_STORE_URL: `file:${dir}`, MEDIA_SOURCE_HOSTS: new URL(sim.url).host }, []);
  runtime = createRuntime({ ...appConfig(db, redis, sim.url), media }, { logger: createLogger("silent"), retry: FAST_RETRY, tokens: { pollMs: 5 } });
  worker = await startSyncWorker(runtime, { metrics, schedules: false });
});

afterAll(async () => {
  await worker?.shutdown(5_000);
  await runtime?.close();
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("media job", () => {
  it("a finished sync run is followed by a media pass of its account in the worker", async () => {
    await enqueueSync(worker.queue, { appId: APP_ID, source: "material:image", mode: "full", trigger: "manual" });
    const stored = await until(async () => {
      const r = await db.sql.query(`SELECT count(*)::int AS n FROM materials WHERE mirror_url LIKE '/media/%'`);
      return r.rows[0].n === 6 ? r.rows[0].n : null;
    }, 30_000, "image materials mirrored");
    expect(stored).toBe(6);
    const links = await db.sql.query(`SELECT count(*)::int AS n FROM media_links WHERE owner_kind = 'material' AND role = 'image'`);
    expect(links.rows[0].n).toBe(6);
    // the gauges are set when the pass ends, just after it writes mirror_url: wait for them
    const text = await until(async () => {
      const t = await metrics.registry.metrics();
      return /mpsync_media_assets\{state="stored"\} 6/.test(t) ? t : null;
    }, 10_000, "the media gauges");
    expect(text).toMatch(/mpsync_media_downloads_total\{outcome="stored"\} 6/);
    expect(text).toMatch(/mpsync_media_assets\{state="stored"\} 6/);
    expect(sim.mediaCounters().withReferer).toBe(0);
  });
});
