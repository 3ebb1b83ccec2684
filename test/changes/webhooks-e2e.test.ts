// The change feed end to end, against the simulator over HTTP and a real local HTTP
// receiver that fails about a third of first deliveries (HTTP 503, a dropped connection,
// or an answer slower than the delivery timeout): an initial full sync, then publishes,
// deletions and edits caught by later runs all arrive as correctly signed events, each at
// least once and none missing; GET /v1/changes lists exactly the committed changes; a
// crash between the data write and delivery loses no event.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { spawn } from "node:child_process";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppConfig } from "../../src/config/config.ts";
import { startHttpServer } from "../../src/http/server.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createMetrics } from "../../src/metrics/registry.ts";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import { SIM_DEFAULT_APP } from "../../src/simulator/index.ts";
import { SOURCES, type SyncMode } from "../../src/sync/types.ts";
import { verifySignature } from "../../src/webhooks/signature.ts";
import { startChangeFeedWorker, type ChangeFeedWorker } from "../../jobs/webhook-worker.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { until } from "../jobs/harness.ts";
import { APP_ID, appConfig, FAST_RETRY, simulator } from "../sync/harness.ts";

const SECRET = "whsec-test-0123456789abcdef";
const READ_TOKEN = "read-token-0123456789abcdef";
const TIMEOUT_MS = 400;
const BIN = path.resolve(import.meta.dirname, "../../bin/mpsync.js");

const db = await createTestDatabase();
const redis = createTestRedis();
const sim = await simulator({ seed: { seed: 11, published: 45, maxNewsItems: 3, contentBytes: 200, materials: { image: 12, video: 3, voice: 2, news: 4 } } });

interface Received {
  id: string;
  body: string;
  signatureValid: boolean;
}

/** A webhook consumer: fails a third of first deliveries, in three ways, and keeps what it accepted. */
function receiver() {
  const accepted: Received[] = [];
  const firstSeen = new Set<string>();
  const failedFirst = new Set<string>();
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      const id = String(req.headers["mpsync-event-id"] ?? "");
      const first = !firstSeen.has(id);
      firstSeen.add(id);
      const h = createHash("sha256").update(id).digest()[0]!;
      if (first && h % 3 === 0) {
        failedFirst.add(id);
        const how = (h >> 2) % 3;
        if (how === 0) return void res.writeHead(503).end("busy");
        if (how === 1) return void req.socket.destroy();
        return void setTimeout(() => res.writeHead(200).end("too late"), TIMEOUT_MS * 3);
      }
      accepted.push({ id, body, signatureValid: verifySignature(String(req.headers["mpsync-signature"] ?? ""), body, SECRET) });
      res.writeHead(204).end();
    });
  });
  return { server, accepted, failedFirst, firstSeen };
}

const hook = receiver();
await new Promise<void>((r) => hook.server.listen(0, "127.0.0.1", r));
const hookUrl = `http://127.0.0.1:${(hook.server.address() as AddressInfo).port}/hooks/mpsync?tenant=t1`;

function configWithHooks(): AppConfig {
  const base = appConfig(db, redis, sim.url, 4);
  return {
    ...base,
    http: { ...base.http, port: 0, readApiToken: READ_TOKEN },
    changes: { webhooks: [{ scope: "*", url: hookUrl, secret: SECRET }], retentionDays: 30, webhookTimeoutMs: TIMEOUT_MS, webhookConcurrency: 4 },
  };
}

const config = configWithHooks();
const runtime: Runtime = createRuntime(config, { logger: createLogger("silent"), retry: FAST_RETRY, tokens: { pollMs: 5 } });
let feedWorker: ChangeFeedWorker;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  // started before anything is synced: the endpoint's cursor begins at the first event
  feedWorker = await startChangeFeedWorker(runtime, { retryBaseMs: 100, dispatchIntervalMs: 100 });
  await feedWorker.dispatchNow();
  ({ app, url: base } = await startHttpServer({ config, reads: runtime.reads, changeFeed: runtime.changeFeed, redis: redis.redis, logger: createLogger("silent"), metrics: createMetrics({ defaultMetrics: false }) }));
});

afterAll(async () => {
  await app?.close();
  await feedWorker?.shutdown(2_000);
  await runtime.close();
  await sim.close();
  await new Promise((r) => hook.server.close(r));
});

async function syncAll(mode: SyncMode): Promise<void> {
  for (const source of SOURCES) await runtime.engine.run({ appId: APP_ID, source, mode, trigger: "manual" });
}

interface Event {
  id: string;
  type: string;
  created_at: string;
  account: string;
  data: Record<string, unknown> & { article_id?: string; media_id?: string };
}

/** Every event from `after` on, through pages of 7. */
async function changesAfter(after = "0"): Promise<Event[]> {
  const out: Event[] = [];
  let cursor = after;
  for (;;) {
    const r = await fetch(`${base}/v1/changes?after=${cursor}&limit=7`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
    expect(r.status).toBe(200);
    const page = (await r.json()) as { data: Event[]; next_after: string };
    out.push(...page.data);
    if (page.data.length === 0) {
      expect(page.next_after).toBe(cursor);
      return out;
    }
    cursor = page.next_after;
  }
}

const keyOf = (e: Event): string => `${e.type} ${e.data.article_id ?? e.data.media_id}`;
const sorted = (xs: string[]): string[] => [...xs].sort();

/** Waits until every listed event was accepted by the receiver, then checks each one. */
async function expectDelivered(events: Event[]): Promise<void> {
  await until(async () => events.every((e) => hook.accepted.some((a) => a.id === e.id)), 60_000, "every event delivered");
  for (const e of events) {
    const got = hook.accepted.filter((a) => a.id === e.id);
    expect(got.length).toBeGreaterThanOrEqual(1);
    for (const g of got) {
      expect(g.signatureValid).toBe(true);
      expect(JSON.parse(g.body)).toEqual(e);
    }
  }
}

let lastSeen = "0";

describe("change feed end to end", () => {
  it("the initial full sync: article.published / material.created for everything inserted, delivered and listed", async () => {
    await syncAll("full");
    const events = await changesAfter();
    const articles = sim.published();
    const expected = [
      ...articles.map((a) => `${a.news_item.every((n) => n.is_deleted) ? "article.deleted" : "article.published"} ${a.article_id}`),
      ...(["image", "video", "voice", "news"] as const).flatMap((t) => sim.materials(t).map((m) => `material.created ${m.media_id}`)),
    ];
    expect(sorted(events.map(keyOf))).toEqual(sorted(expected));
    // ids strictly increase: commit order
    for (let i = 1; i < events.length; i++) expect(BigInt(events[i]!.id)).toBeGreaterThan(BigInt(events[i - 1]!.id));
    // the payload carries what a consumer acts on
    const first = events.find((e) => e.type === "article.published")!;
    const a = articles.find((x) => x.article_id === first.data.article_id)!;
    const face = a.news_item.find((n) => !n.is_deleted)!;
    expect(first).toMatchObject({ account: APP_ID, data: { title: face.title, url: face.url, is_deleted: false, update_time: new Date(a.update_time * 1000).toISOString() } });
    const rows = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM content_changes`);
    expect(rows.rows[0]!.n).toBe(events.length);
    await expectDelivered(events);
    expect(hook.failedFirst.size).toBeGreaterThan(events.length / 6); // about a third failed at first, and were retried
    lastSeen = events.at(-1)!.id;
  });

  it("a run over unchanged rows writes no event", async () => {
    await syncAll("full");
    await syncAll("incremental");
    expect(await changesAfter(lastSeen)).toEqual([]);
  });

  it("publishes, deletions and edits caught by later runs arrive once each as the right events", async () => {
    const before = sim.published().filter((a) => !a.news_item.every((n) => n.is_deleted));
    const [gone1, gone2, edited] = [before[10]!, before[20]!, before[30]!];
    sim.publish(3);
    sim.deleteArticle(gone1.article_id);
    sim.deleteArticle(gone2.article_id);
    sim.editArticle(edited.article_id, { title: "Edited title for the change feed" }, 0);
    const image = sim.materials("image");
    sim.deleteMaterial(image[3]!.media_id);
    sim.editMaterial(image[5]!.media_id, { name: "renamed.jpg" });
    const fresh = sim.published().slice(0, 3).map((a) => a.article_id);

    await runtime.engine.run({ appId: APP_ID, source: "published", mode: "incremental", trigger: "manual" });
    const afterIncremental = await changesAfter(lastSeen);
    expect(sorted(afterIncremental.map(keyOf))).toEqual(sorted(fresh.map((id) => `article.published ${id}`)));

    await syncAll("full");
    const events = await changesAfter(lastSeen);
    expect(sorted(events.map(keyOf))).toEqual(
      sorted([
        ...fresh.map((id) => `article.published ${id}`),
        `article.deleted ${gone1.article_id}`,
        `article.deleted ${gone2.article_id}`,
        `article.updated ${edited.article_id}`,
        `material.deleted ${image[3]!.media_id}`,
        `material.updated ${image[5]!.media_id}`,
      ]),
    );
    const upd = events.find((e) => e.type === "article.updated")!;
    expect(upd.data.title).toBe("Edited title for the change feed");
    const del = events.find((e) => e.type === "article.deleted")!;
    expect(del.data).toMatchObject({ is_deleted: true });
    expect(del.data.deleted_at).toEqual(expect.any(String));
    expect(events.find((e) => e.type === "material.updated")!.data).toMatchObject({ name: "renamed.jpg", type: "image" });
    await expectDelivered(events);
    lastSeen = events.at(-1)!.id;
  });

  it("a deleted row that comes back is restored, with an event", async () => {
    const back = sim.published()[5]!.article_id;
    // as after a deletion applied by mistake: the row is deleted, WeChat still lists it
    await db.sql.query(`UPDATE published_articles SET is_deleted = true, deleted_at = now() WHERE article_id = $1`, [back]);
    await runtime.engine.run({ appId: APP_ID, source: "published", mode: "full", trigger: "manual" });
    const events = await changesAfter(lastSeen);
    expect(events.map(keyOf)).toEqual([`article.restored ${back}`]);
    expect(events[0]!.data).toMatchObject({ is_deleted: false, deleted_at: null });
    await expectDelivered(events);
    lastSeen = events.at(-1)!.id;
  });

  it("every delivery is recorded delivered; those that failed first show more than one attempt", async () => {
    await until(async () => (await db.sql.query(`SELECT 1 FROM webhook_deliveries WHERE status <> 'delivered' LIMIT 1`)).rowCount === 0, 30_000, "deliveries settled");
    const d = await db.sql.query<{ event_id: string; attempts: number; status: string }>(`SELECT event_id::text, attempts, status FROM webhook_deliveries`);
    const events = await changesAfter();
    expect(sorted(d.rows.map((r) => r.event_id))).toEqual(sorted(events.map((e) => e.id)));
    for (const r of d.rows) {
      expect(r.status).toBe("delivered");
      if (hook.failedFirst.has(r.event_id)) expect(r.attempts).toBeGreaterThan(1);
    }
    // nothing was accepted that is not a committed event
    expect(new Set(hook.accepted.map((a) => a.id))).toEqual(new Set(events.map((e) => e.id)));
  });

  it("a crash between the data write and delivery loses no event", async () => {
    // the delivery side is down while data is written (as if its process died)
    await feedWorker.shutdown(2_000);
    sim.publish(60);
    sim.setFaults({ latencyMs: 120 });
    // a sync process killed with SIGKILL in the middle of its walk
    const child = spawn(process.execPath, [BIN, "sync", "--inline", "--full", "--source", "published"], {
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        REDIS_URL: redis.url,
        MPSYNC_REDIS_PREFIX: redis.prefix,
        WECHAT_API_BASE_URL: sim.url,
        WECHAT_APP_ID: SIM_DEFAULT_APP.appId,
        WECHAT_APP_SECRET: SIM_DEFAULT_APP.secret,
        LOG_LEVEL: "silent",
        MPSYNC_ACCOUNTS_FILE: "",
      },
      stdio: "ignore",
    });
    const exited = new Promise((r) => child.on("exit", r));
    // a committed page shows in the walk's page rows at once (in the run row at most once a second)
    await until(async () => {
      const r = await db.sql.query<{ pages: number }>(
        `SELECT (w.counters->>'pages')::int AS pages FROM sync_walk_pages w JOIN sync_runs r ON r.id = w.run_id
          WHERE r.source = 'published' AND r.status = 'running' ORDER BY w.seq DESC LIMIT 1`,
      );
      return (r.rows[0]?.pages ?? 0) >= 1;
    }, 60_000, "a committed page");
    child.kill("SIGKILL");
    await exited;
    sim.setFaults({});

    // what committed is exactly what the outbox holds: every new row has its event, no event lacks its row
    const partial = await changesAfter(lastSeen);
    const rows = await db.sql.query<{ article_id: string }>(
      `SELECT article_id FROM published_articles WHERE first_seen_at > (SELECT created_at FROM content_changes WHERE id = $1)`,
      [lastSeen],
    );
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(60);
    expect(sorted(partial.map(keyOf))).toEqual(sorted(rows.rows.map((r) => `article.published ${r.article_id}`)));

    // the dispatcher dies after creating deliveries, before queueing them
    await runtime.changeFeed.dispatch((await runtime.changeFeed.listEndpoints())[0]!.id, 1_000);

    // the interrupted run resumes; a new delivery side starts
    await runtime.engine.run({ appId: APP_ID, source: "published", mode: "full", trigger: "manual" });
    feedWorker = await startChangeFeedWorker(runtime, { retryBaseMs: 100, dispatchIntervalMs: 100 });
    const events = await changesAfter(lastSeen);
    const fresh = sim.published().slice(0, 60).map((a) => `article.published ${a.article_id}`);
    expect(sorted(events.map(keyOf))).toEqual(sorted(fresh)); // one each: the resumed run did not repeat the committed ones
    await expectDelivered(events);
  });
});
