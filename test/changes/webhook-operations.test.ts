// Operating webhooks: a delivery that keeps failing is dead after its last attempt and
// visible (mpsync webhooks status, GET /admin/webhooks); replay (CLI and admin API) sends
// it again; secrets and webhook URLs' queries appear in no log line or output; retention
// prunes old events and settled deliveries but keeps what is still pending.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppConfig } from "../../src/config/config.ts";
import { startHttpServer } from "../../src/http/server.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createMetrics } from "../../src/metrics/registry.ts";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import { verifySignature } from "../../src/webhooks/signature.ts";
import { startChangeFeedWorker, type ChangeFeedWorker } from "../../jobs/webhook-worker.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { runMpsync, until } from "../jobs/harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const SECRET = "whsec-ops-0123456789abcdef";
const ADMIN = "admin-ops-0123456789abcdef";
const QUERY_TOKEN = "qtok-9f8e7d6c5b4a";
const APP = "wxops000000000001";

let answer = 503;
const received: { id: string; valid: boolean }[] = [];
const hook: Server = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    if (answer === 200) received.push({ id: String(req.headers["mpsync-event-id"]), valid: verifySignature(String(req.headers["mpsync-signature"]), body, SECRET) });
    res.writeHead(answer).end();
  });
});
await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/in?token=${QUERY_TOKEN}`;

let logs = "";
const logger = createLogger("debug", new Writable({ write: (c, _e, cb) => ((logs += String(c)), cb()) }));
const config = {
  databaseUrl: db.url,
  db: { poolSize: 5, connectionTimeoutMs: 10_000, idleTimeoutMs: 10_000, statementTimeoutMs: 60_000 },
  redisUrl: redis.url,
  redisPrefix: redis.prefix,
  logLevel: "debug",
  wechatBaseUrl: "http://127.0.0.1:9",
  wechatMaxResponseBytes: 1 << 20,
  accounts: [{ appId: APP, appSecret: "app-secret-x", tokenKind: "stable", concurrency: 1, schedule: { incrementalEveryMinutes: 15, fullCron: "0 3 * * *", enabled: false } }],
  worker: { concurrency: 1, shutdownTimeoutMs: 5_000, lockDurationMs: 30_000 },
  http: { port: 0, host: "127.0.0.1", adminToken: ADMIN },
  changes: { webhooks: [{ scope: "*", url: hookUrl, secret: SECRET }], retentionDays: 30, webhookTimeoutMs: 2_000, webhookConcurrency: 2 },
} as AppConfig;
const runtime: Runtime = createRuntime(config, { logger });
let worker: ChangeFeedWorker;
let app: FastifyInstance;
let base: string;
const env = { DATABASE_URL: db.url, REDIS_URL: redis.url, MPSYNC_REDIS_PREFIX: redis.prefix, WECHAT_APP_ID: APP, WECHAT_APP_SECRET: "app-secret-x", WEBHOOK_URL: hookUrl, WEBHOOK_SECRET: SECRET, MPSYNC_ACCOUNTS_FILE: "", LOG_LEVEL: "debug" };

async function addEvents(n: number): Promise<void> {
  await db.sql.query(
    `INSERT INTO content_changes (account_id, type, item_key, data) SELECT 1, 'article.published', 'art-' || i, jsonb_build_object('article_id', 'art-' || i) FROM generate_series(1, $1) i`,
    [n],
  );
}

beforeAll(async () => {
  await db.sql.query(`INSERT INTO accounts (app_id) VALUES ($1)`, [APP]);
  worker = await startChangeFeedWorker(runtime, { retryBaseMs: 20, attempts: 3, dispatchIntervalMs: 50 });
  await worker.dispatchNow();
  ({ app, url: base } = await startHttpServer({ config, reads: runtime.reads, changeFeed: runtime.changeFeed, redis: redis.redis, logger, metrics: createMetrics({ defaultMetrics: false }) }));
});

afterAll(async () => {
  await app?.close();
  await worker?.shutdown(2_000);
  await runtime.close();
  await new Promise((r) => hook.close(r));
});

const admin = (path: string, init: RequestInit = {}) => fetch(base + path, { ...init, headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json", ...(init.headers ?? {}) } });

describe("webhook operations", () => {
  it("a delivery failing every attempt is dead, with its attempts, last status and error recorded", async () => {
    await addEvents(3);
    await until(async () => (await db.sql.query(`SELECT 1 FROM webhook_deliveries WHERE status = 'dead'`)).rowCount === 3, 30_000, "3 dead deliveries");
    const rows = await db.sql.query(`SELECT status, attempts, last_status, last_error FROM webhook_deliveries ORDER BY event_id`);
    expect(rows.rows).toEqual(Array.from({ length: 3 }, () => ({ status: "dead", attempts: 3, last_status: 503, last_error: "HTTP 503" })));
  });

  it("mpsync webhooks status and GET /admin/webhooks show it, the URL without its query", async () => {
    const cli = await runMpsync(["webhooks", "status", "--json"], env);
    expect(cli.code).toBe(0);
    const s = JSON.parse(cli.stdout) as { endpoints: Record<string, unknown>[]; dead: Record<string, unknown>[] };
    expect(s.endpoints).toEqual([expect.objectContaining({ url: `${new URL(hookUrl).origin}/in?…`, scope: "*", pending: 0, delivered: 0, dead: 3, last_error: "HTTP 503" })]);
    expect(s.dead).toHaveLength(3);
    const text = await runMpsync(["webhooks", "status"], env);
    expect(text.stdout).toContain("0 delivered, 0 pending, 3 dead");
    const r = await admin("/admin/webhooks");
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual(s);
    expect((await fetch(base + "/admin/webhooks")).status).toBe(401);
    for (const out of [cli.all, text.all, JSON.stringify(s)]) {
      expect(out).not.toContain(SECRET);
      expect(out).not.toContain(QUERY_TOKEN);
    }
  });

  it("mpsync webhooks replay --after sends the events after the cursor again, signed", async () => {
    answer = 200;
    const ids = (await db.sql.query<{ id: string }>(`SELECT id::text FROM content_changes ORDER BY id`)).rows.map((r) => r.id);
    const r = await runMpsync(["webhooks", "replay", "--after", ids[0]!, "--json"], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ after: ids[0], endpoints: 1, deliveries: 2 });
    await until(async () => received.length >= 2, 30_000, "replayed deliveries");
    expect(received.map((x) => x.id).sort()).toEqual(ids.slice(1).sort());
    expect(received.every((x) => x.valid)).toBe(true);
    const rows = await db.sql.query(`SELECT event_id::text AS e, status, attempts, generation FROM webhook_deliveries ORDER BY event_id`);
    expect(rows.rows).toEqual([
      { e: ids[0], status: "dead", attempts: 3, generation: 0 },
      { e: ids[1], status: "delivered", attempts: 1, generation: 1 },
      { e: ids[2], status: "delivered", attempts: 1, generation: 1 },
    ]);
    const bad = await runMpsync(["webhooks", "replay", "--after", "abc"], env);
    expect(bad.code).not.toBe(0);
    expect(bad.all).toContain("--after");
  });

  it("POST /admin/webhooks/replay does the same; a URL not configured is a 400 naming url", async () => {
    const r = await admin("/admin/webhooks/replay", { method: "POST", body: JSON.stringify({ after: "0" }) });
    expect(r.status).toBe(202);
    expect(await r.json()).toEqual({ after: "0", endpoints: 1, deliveries: 3 });
    await until(async () => (await db.sql.query(`SELECT 1 FROM webhook_deliveries WHERE status = 'delivered'`)).rowCount === 3, 30_000, "all delivered");
    const wrong = await admin("/admin/webhooks/replay", { method: "POST", body: JSON.stringify({ after: 0, url: "https://elsewhere.example.com/" }) });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { field: string }).field).toBe("url");
  });

  it("retention prunes old events and settled deliveries, keeping an old event whose delivery is pending", async () => {
    await db.sql.query(`UPDATE content_changes SET created_at = now() - interval '40 days'`);
    await db.sql.query(`UPDATE webhook_deliveries SET created_at = now() - interval '40 days'`);
    const keep = (await db.sql.query<{ id: string }>(`SELECT event_id::text AS id FROM webhook_deliveries ORDER BY event_id LIMIT 1`)).rows[0]!.id;
    await db.sql.query(`UPDATE webhook_deliveries SET status = 'pending', enqueued_at = now() WHERE event_id = $1`, [keep]);
    await addEvents(1);
    const fresh = (await db.sql.query<{ id: string }>(`SELECT max(id)::text AS id FROM content_changes`)).rows[0]!.id;
    const r = await runtime.changeFeed.prune(30);
    expect(r).toEqual({ events: 2, deliveries: 2 });
    expect((await db.sql.query(`SELECT id::text FROM content_changes ORDER BY id`)).rows.length).toBe(2);
    // the running dispatcher may already have queued the fresh event's delivery: only the old ones are in question
    expect((await db.sql.query(`SELECT event_id::text AS id FROM webhook_deliveries WHERE event_id <> $1`, [fresh])).rows).toEqual([{ id: keep }]);
  });

  it("no log line carries the webhook secret or the URL's query", () => {
    expect(logs).toContain("webhook delivery attempt failed");
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toContain(QUERY_TOKEN);
  });
});
