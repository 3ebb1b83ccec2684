// Admin endpoints refuse missing and wrong tokens and never echo secrets; resync through
// HTTP is deduplicated; readiness follows the worker; /metrics reports runs and API calls.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { jobQueueOf } from "../../jobs/job-queue.ts";
import { startSyncWorker, type SyncWorker } from "../../jobs/worker.ts";
import { startHttpServer } from "../../src/http/server.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createMetrics } from "../../src/metrics/registry.ts";
import type { Runtime } from "../../src/runtime.ts";
import { SOURCES } from "../../src/sync/types.ts";
import type { Simulator } from "../../src/simulator/index.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { APP_ID, runtimeFor, simulator } from "../sync/harness.ts";
import { until } from "../jobs/harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const ADMIN_TOKEN = "admin-Token-9f8e7d6c5b4a3210";
const metrics = createMetrics({ defaultMetrics: false });
let sim: Simulator;
let runtime: Runtime;
let worker: SyncWorker;
let app: FastifyInstance;
let base: string;
let noAdmin: FastifyInstance;
let noAdminBase: string;

beforeAll(async () => {
  sim = await simulator();
  runtime = runtimeFor(db, redis, sim, 2, { observer: metrics.observer, logger: createLogger("silent") });
  // many wrong tokens from one address below: the failure limit is auth-limits.test.ts's subject, not this file's
  runtime.config.http = { port: 0, host: "127.0.0.1", adminToken: ADMIN_TOKEN, authFailuresPerMinute: 1_000 };
  worker = await startSyncWorker(runtime, { metrics, schedules: false });
  const queue = jobQueueOf(worker.queue, runtime.redis, runtime.config.redisPrefix);
  const deps = { config: runtime.config, reads: runtime.reads, redis: runtime.redis, logger: runtime.logger, metrics, queue, consuming: worker.consuming };
  ({ app, url: base } = await startHttpServer(deps));
  ({ app: noAdmin, url: noAdminBase } = await startHttpServer({ ...deps, config: { ...runtime.config, http: { ...runtime.config.http, adminToken: undefined } } }));
});

afterAll(async () => {
  await app?.close();
  await noAdmin?.close();
  await worker?.shutdown(5_000);
  await runtime?.close();
  await sim?.close();
});

async function call(path: string, init: RequestInit & { token?: string } = {}): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { ...(init.body ? { "content-type": "application/json" } : {}) };
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  const r = await fetch(base + path, { ...init, headers });
  return { status: r.status, text: await r.text() };
}

describe("admin authentication", () => {
  it.each([
    ["POST", "/admin/resync"],
    ["GET", "/admin/runs"],
    ["GET", "/admin/queues"],
    ["GET", "/admin/queues/api/queues"],
  ])("%s %s answers 401 without a token and with a wrong one, echoing nothing", async (method, path) => {
    const body = method === "POST" ? JSON.stringify({ account: APP_ID }) : undefined;
    for (const token of [undefined, "wrong-token-0000000000", ADMIN_TOKEN.slice(0, -1), `${ADMIN_TOKEN}x`, ""]) {
      const r = await call(path, { method, body, token });
      expect(r.status).toBe(401);
      expect(r.text).not.toContain(ADMIN_TOKEN.slice(0, 10));
      if (token) expect(r.text).not.toContain(token);
    }
    const raw = await fetch(base + path, { method, body, headers: { authorization: ADMIN_TOKEN, ...(body ? { "content-type": "application/json" } : {}) } });
    expect(raw.status).toBe(401); // the token without the Bearer scheme
  });

  it("admin routes do not exist when ADMIN_TOKEN is unset", async () => {
    const r = await fetch(`${noAdminBase}/admin/runs`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(r.status).toBe(404);
  });

  it("the dashboard is served behind the token", async () => {
    const r = await call("/admin/queues", { token: ADMIN_TOKEN });
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/<html/i);
  });
});

describe("admin resync and runs", () => {
  it("validates the body, naming the field", async () => {
    const bad = await call("/admin/resync", { method: "POST", token: ADMIN_TOKEN, body: JSON.stringify({ account: APP_ID, source: "comments" }) });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ field: "source" });
    const unknown = await call("/admin/resync", { method: "POST", token: ADMIN_TOKEN, body: JSON.stringify({ account: "wxnotconfigured" }) });
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.text)).toMatchObject({ field: "account" });
    const notJson = await call("/admin/resync", { method: "POST", token: ADMIN_TOKEN, body: "{" });
    expect(notJson.status).toBe(400);
  });

  it("queues one full run per source, deduplicated, runs it, and reports it without secrets", async () => {
    await worker.worker.pause(); // keep the runs pending while asking twice
    const first = await call("/admin/resync", { method: "POST", token: ADMIN_TOKEN, body: JSON.stringify({ account: APP_ID }) });
    expect(first.status).toBe(202);
    const jobs = JSON.parse(first.text).jobs as { source: string; job_id: string; outcome: string }[];
    expect(jobs.map((j) => j.source)).toEqual([...SOURCES]);
    expect(jobs.every((j) => j.outcome === "queued")).toBe(true);
    const again = JSON.parse((await call("/admin/resync", { method: "POST", token: ADMIN_TOKEN, body: JSON.stringify({ account: APP_ID, source: "published" }) })).text);
    expect(again.jobs).toEqual([{ account: APP_ID, source: "published", job_id: jobs[0]!.job_id, outcome: "merged" }]);

    expect((await fetch(`${base}/readyz`)).status).toBe(503); // paused: not consuming
    worker.worker.resume();
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", checks: { postgres: true, redis: true, worker: true } });

    await until(async () => {
      const runs = await db.sql.query("SELECT 1 FROM sync_runs WHERE status = 'succeeded' AND mode = 'full'");
      return runs.rowCount === SOURCES.length;
    }, 40_000, "five full runs");
    const runs = await call("/admin/runs?limit=10", { token: ADMIN_TOKEN });
    expect(runs.status).toBe(200);
    const body = JSON.parse(runs.text);
    expect(body.runs).toHaveLength(SOURCES.length);
    expect(body.targets.find((t: { source: string }) => t.source === "published").last_run).toMatchObject({ status: "succeeded", mode: "full" });
    for (const text of [runs.text, first.text]) {
      expect(text).not.toContain(runtime.config.accounts[0]!.appSecret!);
      expect(text).not.toContain(ADMIN_TOKEN);
    }
  });

  it("/metrics reports runs, items, API calls by endpoint and errcode, token refreshes and queue depth", async () => {
    const r = await fetch(`${base}/metrics`);
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toMatch(new RegExp(`mpsync_sync_runs_total\\{account="${APP_ID}",source="published",mode="full",status="succeeded"\\} 1`));
    expect(text).toMatch(/mpsync_items_written_total\{account="[^"]+",source="published",kind="inserted"\} [1-9]/);
    expect(text).toMatch(/mpsync_wechat_requests_total\{endpoint="\/cgi-bin\/freepublish\/batchget",errcode="0"\} [1-9]/);
    expect(text).toMatch(/mpsync_token_refreshes_total\{account="[^"]+",kind="[^"]+"\} [1-9]/);
    expect(text).toMatch(/mpsync_sync_run_duration_seconds_count\{source="published",mode="full"\} 1/);
    expect(text).toMatch(/mpsync_queue_jobs\{state="completed"\} [1-9]/);
    expect(text).not.toContain(runtime.config.accounts[0]!.appSecret!);
    expect(text).not.toMatch(/access_token/);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
