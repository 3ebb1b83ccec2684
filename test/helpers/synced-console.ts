// An HTTP server with the console and the queue dashboard over a simulator account synced
// in full, its images mirrored into a scratch folder: what the console's page tests look at.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { jobQueueOf } from "../../jobs/job-queue.ts";
import { startSyncWorker, type SyncWorker } from "../../jobs/worker.ts";
import { loadConfig, type AppConfig } from "../../src/config/config.ts";
import type { ServerDeps } from "../../src/http/deps.ts";
import { startHttpServer } from "../../src/http/server.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { mediaRetryOf } from "../../src/media/retry.ts";
import { createMetrics } from "../../src/metrics/registry.ts";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import type { Simulator, SimulatorOptions } from "../../src/simulator/index.ts";
import { SOURCES } from "../../src/sync/types.ts";
import { childEnv, until } from "../jobs/harness.ts";
import { APP_ID, FAST_RETRY, simulator } from "../sync/harness.ts";
import type { TestDatabase, TestRedis } from "./db.ts";

export interface SyncedConsole {
  sim: Simulator;
  runtime: Runtime;
  worker: SyncWorker;
  /** what the server was started with (start another with changes) */
  deps: ServerDeps;
  app: FastifyInstance;
  base: string;
  /** the mirrored files' folder */
  mediaDir: string;
  close(): Promise<void>;
}

export async function startSyncedConsole(db: TestDatabase, redis: TestRedis, o: { adminToken: string; seed: SimulatorOptions["seed"]; http?: Partial<AppConfig["http"]>; env?: Record<string, string> }): Promise<SyncedConsole> {
  const mediaDir = mkdtempSync(join(tmpdir(), "mpsync-console-media-"));
  const sim = await simulator({ media: { origin: "self" }, seed: o.seed });
  const config = loadConfig({ ...childEnv(db, redis, sim), ADMIN_TOKEN: o.adminToken, MEDIA_MIRROR: "true", MEDIA_SOURCE_HOSTS: new URL(sim.url).host, MEDIA_STORE_URL: `file:${mediaDir}`, LOG_LEVEL: "silent", ...o.env });
  config.http = { ...config.http, port: 0, host: "127.0.0.1", ...o.http };
  const runtime = createRuntime(config, { logger: createLogger("silent"), retry: FAST_RETRY, tokens: { pollMs: 5 } });
  const metrics = createMetrics({ defaultMetrics: false });
  const worker = await startSyncWorker(runtime, { metrics, schedules: false });
  const queue = jobQueueOf(worker.queue, runtime.redis, runtime.config.redisPrefix);
  const deps: ServerDeps = { config, reads: runtime.reads, redis: runtime.redis, logger: runtime.logger, metrics, queue, changeFeed: runtime.changeFeed, consuming: worker.consuming, mediaRetry: mediaRetryOf(runtime, worker.requestMedia) };
  const { app, url: base } = await startHttpServer(deps);
  const close = async (): Promise<void> => {
    await app.close();
    await worker.shutdown(5_000);
    await runtime.close();
    await sim.close();
    rmSync(mediaDir, { recursive: true, force: true });
  };
  try {
    // a synced account with its images mirrored
    for (const source of SOURCES) await queue.enqueue({ appId: APP_ID, source, mode: "full", trigger: "manual" });
    await until(async () => (await db.sql.query("SELECT 1 FROM sync_runs WHERE status = 'succeeded'")).rowCount === SOURCES.length, 60_000, "the first full runs");
    await until(async () => {
      const s = await runtime.reads.mediaStatus(null);
      return s.states.stored.count > 0 && s.states.pending.count === 0;
    }, 60_000, "the media mirrored");
  } catch (e) {
    await close();
    throw e;
  }
  return { sim, runtime, worker, deps, app, base, mediaDir, close };
}
