// The message-push scenario of `npm run bench` (also alone: `npm run bench:push`): a
// worker with its HTTP server in this process, the simulator in its own process at 20 ms
// per API call (batchget and getarticle), pushing PUBLISHJOBFINISH in safe mode. For each
// publish: the time from the simulator's publish (the push leaves at once) to the
// article's news items, with content, committed in Postgres (polled every 5 ms).
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { AppConfig } from "../src/config/config.ts";
import { createLogger } from "../src/logging/logger.ts";
import { createMetrics } from "../src/metrics/registry.ts";
import { createRuntime } from "../src/runtime.ts";
import { SIM_DEFAULT_APP } from "../src/simulator/types.ts";
import { startHttpServer } from "../src/http/server.ts";
import { startSyncWorker } from "../jobs/worker.ts";
import { SimulatorProcess } from "./simulator.ts";

export interface PushBenchOptions {
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  latencyMs: number;
  publishes: number;
  /** pause between publishes (each push also starts an incremental walk) */
  gapMs: number;
  articles: number;
  progress?(line: string): void;
}

export interface PushBenchResult {
  latencyMs: number;
  publishes: number;
  gapMs: number;
  /** publish → news items committed, ms */
  p50: number;
  p95: number;
  max: number;
  /** push received (push_events.received_at) → publish job processed, ms */
  processingP95: number;
  getarticleCalls: number;
  outcomes: Record<string, number>;
  /** the 2 s target at 20 ms latency */
  withinTarget: boolean;
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};

export async function pushBench(o: PushBenchOptions): Promise<PushBenchResult> {
  const sim = await SimulatorProcess.start({ seed: 1, articles: o.articles, maxNewsItems: 3, contentBytes: 8_000, images: 0, videos: 0, voices: 0, news: 0, latencyMs: 0 });
  const control = async (p: string, body: unknown): Promise<any> => {
    const r = await fetch(sim.url + p, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`simulator ${p}: HTTP ${r.status}`);
    return r.json();
  };
  const push = { token: randomBytes(12).toString("hex"), aesKey: randomBytes(32).toString("base64").slice(0, 43) };
  const config: AppConfig = {
    databaseUrl: o.databaseUrl,
    db: { poolSize: 10, connectionTimeoutMs: 10_000, idleTimeoutMs: 10_000, statementTimeoutMs: 0 },
    redisUrl: o.redisUrl,
    redisPrefix: o.redisPrefix,
    logLevel: "silent",
    wechatBaseUrl: sim.url,
    wechatMaxResponseBytes: 64 * 1024 * 1024,
    accounts: [{ appId: SIM_DEFAULT_APP.appId, appSecret: SIM_DEFAULT_APP.secret, tokenKind: "stable", concurrency: 4, schedule: { incrementalEveryMinutes: 15, fullCron: "0 3 * * *", enabled: true }, push }],
    worker: { concurrency: 4, shutdownTimeoutMs: 5_000, lockDurationMs: 30_000 },
    http: { port: 0, host: "127.0.0.1", adminToken: undefined },
  };
  const runtime = createRuntime(config, { logger: createLogger("silent") });
  const sql = new pg.Pool({ connectionString: o.databaseUrl, max: 2 });
  const worker = await startSyncWorker(runtime, { schedules: false });
  const http = await startHttpServer({ config, reads: runtime.reads, redis: runtime.redis, logger: runtime.logger, metrics: createMetrics({ defaultMetrics: false }), pushes: runtime.pushes, enqueuePush: worker.enqueuePush });
  try {
    o.progress?.(`push: a full sync of ${o.articles} articles first (not timed)`);
    await runtime.engine.run({ appId: SIM_DEFAULT_APP.appId, source: "published", mode: "full", trigger: "manual" });
    await control("/__sim/faults", { latencyMs: o.latencyMs, endpoints: ["/cgi-bin/freepublish/batchget", "/cgi-bin/freepublish/getarticle", "/cgi-bin/openapi/quota/get"] });
    await control("/__sim/push/config", { url: `${http.url}/wechat/push/${SIM_DEFAULT_APP.appId}`, token: push.token, aesKey: push.aesKey, mode: "safe" });
    await control("/__sim/counters/reset", {});
    const times: number[] = [];
    for (let i = 0; i < o.publishes; i++) {
      const t0 = performance.now();
      const r = await control("/__sim/publish", { count: 1 });
      const id = r.articles[0].article_id as string;
      for (;;) {
        const q = await sql.query(`SELECT 1 FROM published_news_items WHERE article_id = $1 AND content IS NOT NULL LIMIT 1`, [id]);
        if (q.rowCount) break;
        if (performance.now() - t0 > 30_000) throw new Error(`article ${id} not committed within 30 s of its publish`);
        await new Promise((res) => setTimeout(res, 5));
      }
      times.push(performance.now() - t0);
      await new Promise((res) => setTimeout(res, o.gapMs));
    }
    // every publish job processed (the last ones may still be recording their outcome)
    for (const end = Date.now() + 10_000; Date.now() < end; ) {
      const q = await sql.query(`SELECT count(*)::int AS n FROM publish_jobs WHERE state = 'pending'`);
      if (q.rows[0].n === 0) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    const processing = await sql.query(`SELECT EXTRACT(EPOCH FROM (j.processed_at - e.received_at)) * 1000 AS ms FROM publish_jobs j JOIN push_events e ON e.id = j.event_id WHERE j.processed_at IS NOT NULL`);
    const outcomes = await sql.query(`SELECT outcome, count(*)::int AS n FROM publish_jobs GROUP BY outcome`);
    const counters = (await (await fetch(`${sim.url}/__sim/counters`)).json()) as { calls: Record<string, number> };
    const p95 = pct(times, 95);
    return {
      latencyMs: o.latencyMs,
      publishes: o.publishes,
      gapMs: o.gapMs,
      p50: Math.round(pct(times, 50)),
      p95: Math.round(p95),
      max: Math.round(Math.max(...times)),
      processingP95: Math.round(pct(processing.rows.map((r) => Number(r.ms)), 95)),
      getarticleCalls: counters.calls["/cgi-bin/freepublish/getarticle"] ?? 0,
      outcomes: Object.fromEntries(outcomes.rows.map((r) => [r.outcome ?? "pending", r.n])),
      withinTarget: o.latencyMs !== 20 || p95 <= 2_000,
    };
  } finally {
    await http.app.close();
    await worker.shutdown(5_000);
    await runtime.close();
    await sql.end();
    await sim.stop();
  }
}

export function describePushBench(r: PushBenchResult): string {
  return `| message push, ${r.publishes} publishes ${r.gapMs} ms apart at ${r.latencyMs} ms API latency: publish → news items committed | p50 ${r.p50} ms, **p95 ${r.p95} ms**, max ${r.max} ms (push received → job done p95 ${r.processingP95} ms; ${r.getarticleCalls} getarticle calls; ${JSON.stringify(r.outcomes)}) | target p95 ≤ 2,000 ms at 20 ms: ${r.withinTarget ? "met" : "MISSED"} |`;
}

// alone: npm run bench:push
if (import.meta.url === `file://${process.argv[1]}`) {
  const { loadDatabaseUrl, DEFAULT_REDIS_URL } = await import("../src/config/database.ts");
  const { BenchDatabases } = await import("./db.ts");
  const runId = randomBytes(4).toString("hex");
  const dbs = new BenchDatabases(loadDatabaseUrl(), runId);
  await dbs.prepareTemplate();
  const db = await dbs.fresh("push");
  const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
  const redisPrefix = `mpsync-bench:${runId}:push`;
  try {
    const r = await pushBench({ databaseUrl: db.url, redisUrl, redisPrefix, latencyMs: 20, publishes: Number(process.env.PUSH_PUBLISHES ?? 40), gapMs: 250, articles: 500, progress: (l) => console.error(l) });
    console.log(JSON.stringify(r));
    console.log(describePushBench(r));
  } finally {
    await dbs.drop(db.name).catch(() => {});
    await dbs.drop(`mpsync_bench_${runId}_tpl`).catch(() => {});
    const { Redis } = await import("ioredis");
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
  process.exit(0);
}
