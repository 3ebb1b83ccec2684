// A worker that loses Redis mid-run keeps syncing with the token it holds, reconnects, the
// run completes exactly once (its job, stalled by the outage, is not run a second time),
// the outage is logged once when it starts and once when it ends, and it consumes again.
// Uses a Redis server of its own (never the shared one on 6379), stopped with SHUTDOWN SAVE
// and restarted on the same port and data directory, as a persistent Redis would come back.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QUEUE_NAME } from "../../jobs/catalog.ts";
import { enqueueSync } from "../../jobs/enqueue.ts";
import { startSimulator, SIM_DEFAULT_APP, type Simulator } from "../../src/simulator/index.ts";
import { createTestDatabase } from "../helpers/db.ts";
import { spawnMpsync, until } from "./harness.ts";

const db = await createTestDatabase();
const APP = SIM_DEFAULT_APP.appId;
const dir = mkdtempSync(path.join(tmpdir(), "mpsync-redis-"));
let port = 0;
let server: ChildProcess | undefined;
let sim: Simulator;
let queue: Queue;
let queueConnection: Redis;

function portFree(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer().once("error", () => resolve(false));
    s.listen(p, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

async function startRedis(): Promise<void> {
  server = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--dbfilename", "dump.rdb"], {
    stdio: "ignore",
  });
  await until(async () => {
    const r = new Redis(port, "127.0.0.1", { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    r.on("error", () => {});
    try {
      await r.connect();
      return (await r.ping()) === "PONG";
    } catch {
      return false;
    } finally {
      r.disconnect();
    }
  }, 10_000, "redis-server to answer");
}

async function stopRedis(): Promise<void> {
  const exited = new Promise((r) => server!.once("exit", r));
  const r = new Redis(port, "127.0.0.1", { maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on("error", () => {});
  await r.call("SHUTDOWN", "SAVE").catch(() => {}); // the connection drops as the server stops
  r.disconnect();
  await exited;
}

beforeAll(async () => {
  for (let p = 6390 + Math.floor(Math.random() * 100); ; p++) {
    if (await portFree(p)) {
      port = p;
      break;
    }
  }
  await startRedis();
  sim = await startSimulator({
    apps: [{ appId: APP, secret: SIM_DEFAULT_APP.secret }],
    seed: { seed: 5, published: 400, maxNewsItems: 2, contentBytes: 100, materials: { image: 10, video: 1, voice: 1, news: 1 } },
  });
  queueConnection = new Redis(port, "127.0.0.1", { maxRetriesPerRequest: null });
  queueConnection.on("error", () => {});
  queue = new Queue(QUEUE_NAME, { connection: queueConnection, prefix: "mpsync-test" });
  queue.on("error", () => {}); // refused connections while the server is away are expected
});

afterAll(async () => {
  await queue?.close().catch(() => {});
  queueConnection?.disconnect();
  server?.kill("SIGKILL");
  await sim?.close();
});

describe("Redis outage during a run", () => {
  it("the worker reconnects, the run completes and later jobs are consumed", async () => {
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: `redis://127.0.0.1:${port}`,
      MPSYNC_REDIS_PREFIX: "mpsync-test",
      WECHAT_API_BASE_URL: sim.url,
      WECHAT_APP_ID: APP,
      WECHAT_APP_SECRET: SIM_DEFAULT_APP.secret,
      HTTP_PORT: "0",
      HTTP_HOST: "127.0.0.1",
      MEDIA_MIRROR: "false",
      // an outage longer than the job lock: BullMQ treats the running job as stalled and redelivers it
      WORKER_LOCK_DURATION_MS: "2000",
    };
    sim.setFaults({ latencyMs: 400, endpoints: ["freepublish/batchget"] });
    const worker = spawnMpsync(["worker"], env);
    await worker.waitFor(/worker consuming/);
    const http = /"http":"(http:\/\/[^"]+)"/.exec(worker.output())![1]!;
    const ready = async (): Promise<{ status: number; body: unknown }> => {
      const r = await fetch(`${http}/readyz`);
      return { status: r.status, body: await r.json() };
    };
    expect((await ready()).status).toBe(200);
    // the schedulers' immediate incremental ticks run first; our full run is the one we follow
    const { jobId } = await enqueueSync(queue, { appId: APP, source: "published", mode: "full", trigger: "manual" });
    await until(async () => {
      const r = await db.sql.query("SELECT 1 FROM sync_runs WHERE source = 'published' AND mode = 'full' AND status = 'running' AND pages >= 2");
      return r.rowCount === 1;
    }, 30_000, "the full run to commit two pages");

    const pagesNow = async (): Promise<number> =>
      (await db.sql.query<{ pages: number }>("SELECT pages FROM sync_runs WHERE source = 'published' AND mode = 'full' ORDER BY id DESC LIMIT 1")).rows[0]?.pages ?? 0;
    await stopRedis();
    const stoppedAt = Date.now();
    const pagesAtStop = await pagesNow();
    // not ready while Redis is away
    expect(await ready()).toEqual({ status: 503, body: { status: "not ready", checks: { postgres: true, redis: false, worker: false } } });
    // the run holds a valid token: pages keep arriving while Redis is away
    await until(async () => (await pagesNow()) >= pagesAtStop + 3, 20_000, "pages committed during the outage");
    // outlast the job lock and the stalled check (2 s + 0.5 s)
    await new Promise((r) => setTimeout(r, Math.max(0, 3_500 - (Date.now() - stoppedAt))));
    await startRedis();
    sim.setFaults({});

    const state = await until(async () => {
      const job = await queue.getJob(jobId);
      const s = await job?.getState();
      return s === "completed" || s === "failed" ? s : null;
    }, 40_000, "the full run to finish");
    expect(state).toBe("completed");
    const runs = await db.sql.query<{ status: string; job_id: string }>("SELECT status, job_id FROM sync_runs WHERE source = 'published' AND mode = 'full' ORDER BY id");
    // one execution for one request: the job redelivered after the outage found its run done
    expect(runs.rows).toEqual([{ status: "succeeded", job_id: jobId }]);

    // the outage was logged once when it started and once when it ended, without stack traces
    await worker.waitFor(/redis reachable again/);
    const lines = worker.output().split("\n");
    expect(lines.filter((l) => l.includes("redis unreachable"))).toHaveLength(1);
    const back = lines.filter((l) => l.includes("redis reachable again"));
    expect(back).toHaveLength(1);
    expect((JSON.parse(back[0]!) as { outageMs: number }).outageMs).toBeGreaterThan(0);
    expect(worker.output()).not.toMatch(/\n\s+at /);
    // the scenario really happened: the original attempt lost its lock, the job came back and was not run again
    expect(worker.output()).toMatch(/job redelivered after its run succeeded: not run again/);

    // consuming again: a new request is taken and finished
    const next = await enqueueSync(queue, { appId: APP, source: "material:image", mode: "full", trigger: "manual" });
    const nextState = await until(async () => {
      const s = await (await queue.getJob(next.jobId))?.getState();
      return s === "completed" || s === "failed" ? s : null;
    }, 30_000, "the job queued after the outage");
    expect(nextState).toBe("completed");
    expect((await ready()).status).toBe(200);
    worker.proc.kill("SIGTERM");
    expect((await worker.exited).code).toBe(0);
  });
});
