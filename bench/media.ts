// `npm run bench:media`: mirroring throughput. A simulated account whose images are served
// by the simulator's CDN (its own process) at 20 ms per image; a full content sync first
// (not timed), then one media pass (timed): images per second and MB/s beside the latency
// bound images × latency / MEDIA_CONCURRENCY.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { Command } from "commander";
import { loadDatabaseUrl, DEFAULT_REDIS_URL } from "../src/config/database.ts";
import { loadMediaConfig } from "../src/config/media.ts";
import { createLogger } from "../src/logging/logger.ts";
import { createMediaService } from "../src/media/service.ts";
import { describeMediaBench, type MediaBenchArgs, type MediaBenchResult } from "./media-report.ts";
import { createRuntime } from "../src/runtime.ts";
import { SIM_DEFAULT_APP } from "../src/simulator/index.ts";
import { runMany, syncTargets } from "../src/sync/run-many.ts";
import { BenchDatabases } from "./db.ts";
import { SimulatorProcess } from "./simulator.ts";

// run alone (flags), or by `npm run bench` (bench/run.ts) with one JSON argument
const jsonArg = process.argv[2]?.startsWith("{") ? (JSON.parse(process.argv[2]) as MediaBenchArgs) : null;
const f: MediaBenchArgs =
  jsonArg ??
  new Command("bench-media")
    .option("--articles <n>", "published articles", (v) => Number(v), 1_000)
    .option("--images <n>", "image materials", (v) => Number(v), 500)
    .option("--latency <ms>", "CDN latency per image", (v) => Number(v), 20)
    .option("--concurrency <n>", "MEDIA_CONCURRENCY", (v) => Number(v), 16)
    .parse()
    .opts<MediaBenchArgs>();

const runId = randomBytes(4).toString("hex");
const dbs = new BenchDatabases(loadDatabaseUrl(), runId);
const dir = await mkdtemp(path.join(tmpdir(), "mpsync-bench-media-"));
const sim = await SimulatorProcess.start({
  seed: 1, articles: f.articles, maxNewsItems: 3, contentBytes: 8_000, images: f.images, videos: 0, voices: 0, news: 0, latencyMs: 0,
  mediaOrigin: "self", mediaLatencyMs: f.latency,
});
await dbs.prepareTemplate();
const db = await dbs.fresh("media");
try {
  const media = loadMediaConfig({ MEDIA_STORE_URL: `file:${dir}`, MEDIA_SOURCE_HOSTS: new URL(sim.url).host, MEDIA_CONCURRENCY: String(f.concurrency) }, []);
  const config = {
    databaseUrl: db.url,
    db: { poolSize: 10, connectionTimeoutMs: 10_000, idleTimeoutMs: 10_000, statementTimeoutMs: 0 },
    redisUrl: process.env.REDIS_URL || DEFAULT_REDIS_URL,
    redisPrefix: `mpsync-bench-media-${runId}`,
    logLevel: "silent",
    wechatBaseUrl: sim.url,
    wechatMaxResponseBytes: 64 * 1024 * 1024,
    accounts: [{ appId: SIM_DEFAULT_APP.appId, appSecret: SIM_DEFAULT_APP.secret, tokenKind: "stable" as const, concurrency: 8, schedule: { incrementalEveryMinutes: 15, fullCron: "0 3 * * *", enabled: true } }],
    worker: { concurrency: 1, shutdownTimeoutMs: 5_000, lockDurationMs: 30_000 },
    http: { port: undefined, host: "127.0.0.1", adminToken: undefined },
    media,
  };
  const runtime = createRuntime(config, { logger: createLogger("silent") });
  await runMany(runtime.engine, syncTargets(config.accounts), { mode: "full", trigger: "manual" });
  const service = createMediaService({ config, prisma: runtime.prisma, logger: runtime.logger });
  const t0 = performance.now();
  const r = await service.mirror.pass();
  const seconds = (performance.now() - t0) / 1000;
  const images = r.downloaded + r.reused;
  const bound = (images * f.latency) / f.concurrency / 1000;
  const again = await service.mirror.pass();
  const result: MediaBenchResult = { articles: f.articles, imageMaterials: f.images, images, failed: r.failed, mb: +(r.bytes / 1048576).toFixed(1), seconds: +seconds.toFixed(2),
      imagesPerSecond: +(images / seconds).toFixed(0), mbPerSecond: +(r.bytes / 1048576 / seconds).toFixed(1), latencyMs: f.latency, concurrency: f.concurrency,
      boundSeconds: +bound.toFixed(2), phasesMs: r.phasesMs, laneMs: r.laneMs, ratioToBound: +(seconds / bound).toFixed(2), secondPassDownloads: again.downloaded, secondPassMs: again.durationMs };
  console.log(JSON.stringify(result));
  for (const line of describeMediaBench(result)) console.log(line);
  if (jsonArg) console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
  await service.close();
  await runtime.close();
} finally {
  await dbs.drop(db.name).catch(() => {});
  await dbs.drop(`mpsync_bench_${runId}_tpl`).catch(() => {});
  await sim.stop();
  await rm(dir, { recursive: true, force: true });
}
