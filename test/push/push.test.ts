// Message push end to end: the simulator pushes PUBLISHJOBFINISH over real HTTP to the
// worker's /wechat/push/<app_id>; events land in Postgres, the push queue (real Redis)
// processes each publish once, and the article is written through the walk's path.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { enqueueSync } from "../../jobs/enqueue.ts";
import { startSyncWorker, type SyncWorker } from "../../jobs/worker.ts";
import { startHttpServer } from "../../src/http/server.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createMetrics } from "../../src/metrics/registry.ts";
import { quotaKey } from "../../src/planner/quota.ts";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import type { Simulator } from "../../src/simulator/index.ts";
import { buildPushXml, encodePush, pushSignature } from "../../src/wechat/push/index.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { childEnv, runMpsync, until } from "../jobs/harness.ts";
import { APP_ID, appConfig, FAST_RETRY, simulator } from "../sync/harness.ts";

const TOKEN = "pushToken123";
const AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR";
const GETARTICLE = "/cgi-bin/freepublish/getarticle";

const db = await createTestDatabase();
const redis = createTestRedis();
let sim: Simulator;
let runtime: Runtime;
let worker: SyncWorker;
let app: FastifyInstance;
let base: string;
const metrics = createMetrics({ defaultMetrics: false });

beforeAll(async () => {
  sim = await simulator({ seed: { seed: 3, published: 8, maxNewsItems: 2, contentBytes: 300, materials: {} } });
  const config = appConfig(db, redis, sim.url);
  config.accounts[0]!.push = { token: TOKEN, aesKey: AES_KEY };
  config.accounts.push({ appId: "wxnopush", appSecret: "x", tokenKind: "stable", concurrency: 1, schedule: { incrementalEveryMinutes: 15, fullCron: "0 3 * * *", enabled: true } });
  runtime = createRuntime(config, { logger: createLogger("silent"), retry: FAST_RETRY, tokens: { pollMs: 5 } });
  worker = await startSyncWorker(runtime, { metrics, schedules: false });
  ({ app, url: base } = await startHttpServer({ config, reads: runtime.reads, redis: runtime.redis, logger: runtime.logger, metrics, queue: undefined, pushes: runtime.pushes, enqueuePush: worker.enqueuePush }));
});

afterAll(async () => {
  await sim?.pushesSettled();
  await app?.close();
  await worker?.shutdown(5_000);
  await runtime?.close();
  await sim?.close();
});

const pushUrl = (appId: string = APP_ID) => `${base}/wechat/push/${appId}`;

beforeEach(() => {
  sim.setPush({ url: pushUrl(), token: TOKEN, aesKey: AES_KEY, mode: "safe", appId: APP_ID, timeoutMs: 5_000 });
});

async function count(sql: string, ...params: unknown[]): Promise<number> {
  const r = await db.sql.query(sql, params);
  return r.rows[0].n;
}
const events = () => count(`SELECT count(*)::int AS n FROM push_events`);
const jobs = () => count(`SELECT count(*)::int AS n FROM publish_jobs`);
const changesOf = (articleId: string) => count(`SELECT count(*)::int AS n FROM content_changes WHERE item_key = $1`, articleId);

async function processed(publishId: string, status = 0): Promise<{ state: string; outcome: string; detail: string | null; run_id: string | null }> {
  return until(async () => {
    const r = await db.sql.query(`SELECT state, outcome, detail, run_id FROM publish_jobs WHERE publish_id = $1 AND publish_status = $2`, [publishId, status]);
    return r.rows[0] && r.rows[0].state !== "pending" ? r.rows[0] : null;
  }, 30_000, `publish ${publishId} processed`);
}

/** the last push attempts' publish id for an article (the simulator numbers publish jobs) */
async function publishIdOf(attemptsBefore: number): Promise<string> {
  const log = await until(async () => {
    const l = sim.pushLog();
    return l.length > attemptsBefore && l.at(-1)!.outcome !== undefined ? l : null;
  }, 15_000, "a push attempt");
  return log.at(-1)!.publishId;
}

function publishMessage(publishId: string, status: number, articleId?: string, failIdx: number[] = []): string {
  const info: Record<string, unknown> = { publish_id: Number(publishId), publish_status: status };
  if (articleId) info.article_id = articleId;
  if (failIdx.length) info.fail_idx = failIdx;
  return buildPushXml({ ToUserName: "gh_simulator0001", FromUserName: "oHelper", CreateTime: 1_700_000_000, MsgType: "event", Event: "PUBLISHJOBFINISH", PublishEventInfo: info });
}

/** the value of one series in a /metrics text (0 when absent) */
async function metric(name: string, labels: string): Promise<number> {
  const text = await metrics.registry.metrics();
  const line = text.split("\n").find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

/** no sync job waiting, delayed or running (the walks pushes asked for have ended) */
async function syncQueueIdle(): Promise<void> {
  await until(async () => {
    const c = await worker.queue.getJobCounts("waiting", "active", "delayed", "prioritized");
    return Object.values(c).every((n) => n === 0);
  }, 30_000, "the sync queue idle");
}

async function post(appId: string, query: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  const u = new URL(pushUrl(appId));
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  const res = await fetch(u, { method: "POST", headers: { "content-type": "text/xml" }, body });
  return { status: res.status, text: await res.text() };
}

describe("URL check (GET)", () => {
  it("answers echostr verbatim for the token's signature, 401 otherwise", async () => {
    const q = { timestamp: "1700000000", nonce: "12345", echostr: "echo-5927782489442352469" };
    const ok = await fetch(`${pushUrl()}?${new URLSearchParams({ ...q, signature: pushSignature(TOKEN, q.timestamp, q.nonce) })}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe(q.echostr);
    const bad = await fetch(`${pushUrl()}?${new URLSearchParams({ ...q, signature: pushSignature("wrongToken", q.timestamp, q.nonce) })}`);
    expect(bad.status).toBe(401);
    expect(await bad.text()).not.toContain(q.echostr);
    const unknown = await fetch(`${pushUrl("wxunknown")}?${new URLSearchParams({ ...q, signature: pushSignature(TOKEN, q.timestamp, q.nonce) })}`);
    expect(unknown.status).toBe(401);
  });
});

describe("a publish arrives by push", () => {
  for (const mode of ["plaintext", "compatible", "safe"] as const) {
    it(`${mode} mode: stored, processed once, the article written with its content and one change event`, async () => {
      sim.setPush({ url: pushUrl(), token: TOKEN, aesKey: AES_KEY, mode, appId: APP_ID });
      const before = sim.pushLog().length;
      const [article] = sim.publish(1);
      await sim.pushesSettled();
      const attempts = sim.pushLog().slice(before);
      expect(attempts).toHaveLength(1);
      expect(attempts[0]).toMatchObject({ outcome: "answered", httpStatus: 200, body: "success" });
      const publishId = attempts[0]!.publishId;
      const job = await processed(publishId);
      expect(job).toMatchObject({ state: "done", outcome: "stored" });
      const ev = await db.sql.query(`SELECT e.mode, e.event, e.outcome, e.raw_xml, e.message_xml, e.fields FROM push_events e JOIN publish_jobs j ON j.id = e.publish_job_id WHERE j.publish_id = $1`, [publishId]);
      expect(ev.rows).toHaveLength(1);
      expect(ev.rows[0]).toMatchObject({ mode, event: "PUBLISHJOBFINISH", outcome: "accepted" });
      expect(ev.rows[0].message_xml).toContain(article!.article_id);
      expect(ev.rows[0].fields.PublishEventInfo.publish_id).toBe(publishId);
      if (mode === "safe") expect(ev.rows[0].raw_xml).not.toContain(article!.article_id);
      const items = await db.sql.query(`SELECT idx, title, content FROM published_news_items WHERE article_id = $1 ORDER BY idx`, [article!.article_id]);
      expect(items.rows.map((r) => r.title)).toEqual(article!.news_item.map((n) => n.title));
      expect(items.rows.every((r) => typeof r.content === "string" && r.content.length > 0)).toBe(true);
      const run = await db.sql.query(`SELECT mode, trigger, status, inserted FROM sync_runs WHERE id = $1`, [job.run_id]);
      expect(run.rows[0]).toMatchObject({ mode: "push", trigger: "push", status: "succeeded", inserted: 1 });
      // the incremental walk it asked for finds the article stored: still one change event
      await until(async () => (await count(`SELECT count(*)::int AS n FROM sync_runs WHERE mode = 'incremental' AND trigger = 'push' AND status = 'succeeded' AND id > $1`, job.run_id)) > 0, 30_000, "the walk after the push");
      expect(await changesOf(article!.article_id)).toBe(1);
    });
  }
});

describe("refused pushes leave nothing behind", () => {
  it("bad signature, wrong app id, unknown account, no push settings, malformed or hostile bodies: 401/400", async () => {
    const [e0, j0] = [await events(), await jobs()];
    const reasons = ["bad_signature", "bad_app_id", "unknown_account", "malformed"];
    const m0 = await Promise.all(reasons.map((r) => metric("mpsync_push_events_total", `event="unknown",outcome="${r}"`)));
    const waiting0 = await worker.queue.count();
    const msg = publishMessage("9990001", 0, "art-refused");
    const creds = { token: TOKEN, aesKey: AES_KEY, appId: APP_ID };
    const opts = { timestamp: "1700000000", nonce: "777", toUserName: "gh_x" };
    // plaintext signed with another token
    const wrongToken = encodePush(msg, { ...creds, token: "otherToken" }, "plaintext", opts);
    expect((await post(APP_ID, wrongToken.query, wrongToken.body)).status).toBe(401);
    // safe mode: msg_signature of another body
    const safe = encodePush(msg, creds, "safe", opts);
    expect((await post(APP_ID, { ...safe.query, msg_signature: pushSignature(TOKEN, "1", "2", "3") }, safe.body)).status).toBe(401);
    // encrypted for another app id (signature right)
    const other = encodePush(msg, { ...creds, appId: "wxsomeoneelse0001" }, "safe", opts);
    const r = await post(APP_ID, other.query, other.body);
    expect(r.status).toBe(401);
    // unknown account, and an account without push settings
    const plain = encodePush(msg, creds, "plaintext", opts);
    expect((await post("wxunknown", plain.query, plain.body)).status).toBe(401);
    expect((await post("wxnopush", plain.query, plain.body)).status).toBe(401);
    // no signature at all
    expect((await post(APP_ID, {}, msg)).status).toBe(401);
    // malformed XML, a DOCTYPE with entities, a PUBLISHJOBFINISH without publish_id: signed, still 400
    const signed = (body: string) => post(APP_ID, { timestamp: "1700000000", nonce: "5", signature: pushSignature(TOKEN, "1700000000", "5") }, body);
    expect((await signed("<xml><ToUserName>x</xml>")).status).toBe(400);
    expect((await signed(`<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><xml><MsgType>&b;</MsgType></xml>`)).status).toBe(400);
    expect((await signed("not xml at all")).status).toBe(400);
    expect((await signed(buildPushXml({ MsgType: "event", Event: "PUBLISHJOBFINISH", PublishEventInfo: { publish_status: 0 } }))).status).toBe(400);
    // a body over the limit
    expect((await signed(`<xml><Big>${"x".repeat(70 * 1024)}</Big></xml>`)).status).toBe(413);
    expect(await events()).toBe(e0);
    expect(await jobs()).toBe(j0);
    expect(await worker.queue.count()).toBe(waiting0);
    const m1 = await Promise.all(reasons.map((r) => metric("mpsync_push_events_total", `event="unknown",outcome="${r}"`)));
    // bad signature: wrong token, wrong msg_signature, none at all; malformed: the four signed bad bodies
    expect(m1.map((v, i) => v - m0[i]!)).toEqual([3, 1, 2, 4]);
  });
});

describe("retries and replays", () => {
  it("three sends of an unanswered push and a replay: one publish job, one getarticle", async () => {
    // a proxy that forwards to the worker but answers the first two sends too late for the simulator's wait
    let seen = 0;
    const proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const n = ++seen;
        void fetch(`${base}${req.url}`, { method: "POST", headers: { "content-type": "text/xml" }, body: Buffer.concat(chunks) }).then(async (r) => {
          const text = await r.text();
          setTimeout(() => {
            if (!res.destroyed) res.writeHead(r.status, { "content-type": "text/plain" }).end(text);
          }, n <= 2 ? 2_500 : 0);
        });
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    try {
      const port = (proxy.address() as AddressInfo).port;
      sim.setPush({ url: `http://127.0.0.1:${port}/wechat/push/${APP_ID}`, token: TOKEN, aesKey: AES_KEY, mode: "safe", appId: APP_ID, timeoutMs: 1_500, tries: 3 }); // a wait a loaded machine's answer fits in
      await sim.settled();
      sim.resetCounters();
      const before = sim.pushLog().length;
      const [article] = sim.publish(1);
      await sim.pushesSettled();
      const attempts = sim.pushLog().slice(before);
      expect(attempts.map((a) => a.outcome)).toEqual(["timeout", "timeout", "answered"]);
      const publishId = attempts[0]!.publishId;
      // a replay of the same publish, newly signed
      sim.setPush({ url: pushUrl(), token: TOKEN, aesKey: AES_KEY, mode: "compatible", appId: APP_ID });
      const replay = await sim.pushEvent({ publishId, status: 0, articleId: article!.article_id });
      expect(replay[0]).toMatchObject({ httpStatus: 200, body: "success" });
      expect(await processed(publishId)).toMatchObject({ outcome: "stored" });
      const ev = await db.sql.query(`SELECT e.outcome FROM push_events e JOIN publish_jobs j ON j.id = e.publish_job_id WHERE j.publish_id = $1 ORDER BY e.id`, [publishId]);
      expect(ev.rows.map((r) => r.outcome)).toEqual(["accepted", "duplicate", "duplicate", "duplicate"]);
      expect(await count(`SELECT count(*)::int AS n FROM publish_jobs WHERE publish_id = $1`, publishId)).toBe(1);
      await sim.settled();
      expect(sim.counters().calls[GETARTICLE]).toBe(1);
      expect(await changesOf(article!.article_id)).toBe(1);
      expect(await metrics.registry.metrics()).toMatch(/mpsync_push_events_total\{event="PUBLISHJOBFINISH",outcome="duplicate"\} 3/);
    } finally {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });
});

describe("pushes and walks", () => {
  it("a push during a running incremental walk waits for the walk's lock and changes nothing twice", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let blocked = false;
    sim.onRequest(async ({ endpoint }) => {
      if (endpoint.endsWith("/freepublish/batchget") && !blocked) {
        blocked = true;
        await gate;
      }
    });
    try {
      await enqueueSync(worker.queue, { appId: APP_ID, source: "published", mode: "incremental", trigger: "manual" });
      await until(async () => blocked, 15_000, "the walk's first page request");
      const before = sim.pushLog().length;
      const [article] = sim.publish(1);
      await sim.pushesSettled();
      const publishId = sim.pushLog()[before]!.publishId;
      // the walk holds the lock: the publish job waits
      await new Promise((r) => setTimeout(r, 1_500));
      expect((await db.sql.query(`SELECT state FROM publish_jobs WHERE publish_id = $1`, [publishId])).rows[0].state).toBe("pending");
      release();
      const job = await processed(publishId);
      expect(["stored", "unchanged"]).toContain(job.outcome);
      expect(await count(`SELECT count(*)::int AS n FROM published_articles WHERE article_id = $1`, article!.article_id)).toBe(1);
      expect(await changesOf(article!.article_id)).toBe(1);
    } finally {
      release();
      sim.onRequest(undefined);
    }
  });

  it("a push for an article the walk already stored: unchanged, no second change event", async () => {
    sim.setPush(undefined);
    const [article] = sim.publish(1);
    const r = await enqueueSync(worker.queue, { appId: APP_ID, source: "published", mode: "incremental", trigger: "manual" });
    await until(async () => (await count(`SELECT count(*)::int AS n FROM published_articles WHERE article_id = $1`, article!.article_id)) === 1, 30_000, `walk ${r.jobId} stored the article`);
    expect(await changesOf(article!.article_id)).toBe(1);
    sim.setPush({ url: pushUrl(), token: TOKEN, aesKey: AES_KEY, mode: "safe", appId: APP_ID });
    const [attempt] = await sim.pushEvent({ status: 0, articleId: article!.article_id });
    expect(await processed(attempt!.publishId)).toMatchObject({ state: "done", outcome: "unchanged" });
    expect(await changesOf(article!.article_id)).toBe(1);
  });

  it("getarticle's quota spent: the event is deferred and the next incremental walk stores the article", async () => {
    sim.setDailyLimits({ [GETARTICLE]: 0 });
    // a fresh reading of getarticle's quota (the cached one predates the limit)
    await runtime.redis.del(quotaKey(redis.prefix, APP_ID, GETARTICLE));
    await sim.settled();
    sim.resetCounters();
    try {
      const before = sim.pushLog().length;
      const [article] = sim.publish(1);
      await sim.pushesSettled();
      const publishId = sim.pushLog()[before]!.publishId;
      const job = await processed(publishId);
      expect(job).toMatchObject({ state: "done", outcome: "quota_deferred" });
      await until(async () => (await count(`SELECT count(*)::int AS n FROM published_news_items WHERE article_id = $1 AND content IS NOT NULL`, article!.article_id)) > 0, 30_000, "the walk stored the article");
      await sim.settled();
      expect(sim.counters().calls[GETARTICLE] ?? 0).toBe(0);
      expect(await changesOf(article!.article_id)).toBe(1);
    } finally {
      sim.setDailyLimits({});
      await runtime.redis.del(quotaKey(redis.prefix, APP_ID, GETARTICLE));
    }
  });
});

describe("publish statuses", () => {
  it("2, 3 and 4 are recorded with their failed items and visible", async () => {
    for (const status of [2, 3, 4]) {
      const [attempt] = await sim.pushEvent({ status, failIdx: status === 2 ? [1, 2] : [1] });
      const job = await processed(attempt!.publishId, status);
      expect(job.state).toBe("done");
      expect(job.outcome).toBe("recorded");
      expect(job.detail).toContain(status === 2 ? "original-declaration failed; failed news items 1, 2" : status === 3 ? "failed" : "review rejected");
    }
    const states = await runtime.pushes.pushStates([APP_ID]);
    expect(states.get(APP_ID)!.lastError).toMatch(/status 4 \(recorded\)/);
    expect(await metrics.registry.metrics()).toMatch(/mpsync_publish_jobs_total\{status="3",outcome="recorded"\} 1/);
  });

  it("5 (deleted by the user) marks the article deleted once getarticle confirms; 6 on a live article marks nothing", async () => {
    const [a5, a6] = sim.publish(2).map((a) => a.article_id);
    await sim.pushesSettled();
    await until(async () => (await count(`SELECT count(*)::int AS n FROM published_articles WHERE article_id = ANY($1)`, [a5, a6])) === 2, 30_000, "both stored");
    // the walks those pushes asked for have ended: only the pushes below see the deletions
    await syncQueueIdle();
    // 6 while WeChat still lists it live: getarticle does not confirm, nothing is marked
    const [live] = await sim.pushEvent({ status: 6, articleId: a6! });
    expect(await processed(live!.publishId, 6)).toMatchObject({ state: "done", outcome: "not_deleted" });
    expect((await db.sql.query(`SELECT is_deleted FROM published_articles WHERE article_id = $1`, [a6])).rows[0].is_deleted).toBe(false);
    // 5 after the user deleted it: getarticle answers 53600
    sim.deleteArticle(a5!);
    const [del] = await sim.pushEvent({ status: 5, articleId: a5! });
    expect(await processed(del!.publishId, 5)).toMatchObject({ state: "done", outcome: "deleted" });
    expect((await db.sql.query(`SELECT is_deleted FROM published_articles WHERE article_id = $1`, [a5])).rows[0].is_deleted).toBe(true);
    expect(await count(`SELECT count(*)::int AS n FROM content_changes WHERE item_key = $1 AND type = 'article.deleted'`, a5)).toBe(1);
    // 6 after the platform banned it: every news item flagged is_deleted
    const n6 = sim.published().find((a) => a.article_id === a6)!.news_item.length;
    for (let i = 0; i < n6; i++) sim.deleteNewsItem(a6!, i);
    const [ban] = await sim.pushEvent({ status: 6, articleId: a6! });
    expect(await processed(ban!.publishId, 6)).toMatchObject({ state: "done", outcome: "deleted" });
    expect((await db.sql.query(`SELECT is_deleted FROM published_articles WHERE article_id = $1`, [a6])).rows[0].is_deleted).toBe(true);
  });
});

describe("visible", () => {
  const ADMIN = "push-test-admin-token-0123";

  async function httpLogin(at: string): Promise<string> {
    const form = await fetch(`${at}/login`);
    const cookie = form.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
    const r = await fetch(`${at}/login`, { method: "POST", redirect: "manual", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ _csrf: csrf, token: ADMIN }) });
    return r.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ") || cookie;
  }

  it("mpsync status and the console show each account's push state", async () => {
    const r = await runMpsync(["status", "--json"], childEnv(db, redis, sim, { WECHAT_PUSH_TOKEN: TOKEN, WECHAT_PUSH_AES_KEY: AES_KEY }));
    expect(r.code).toBe(0);
    const push = JSON.parse(r.stdout).push as Record<string, unknown>[];
    expect(push).toHaveLength(1);
    expect(push[0]).toMatchObject({ account: APP_ID, configured: true, accepts: "encrypted", endpoint: `/wechat/push/${APP_ID}`, last_event: "PUBLISHJOBFINISH" });
    expect(push[0]!.events).toBeGreaterThan(10);
    expect(push[0]!.last_error).toMatch(/status 4/);
    expect(push[0]!.last_rejected_reason).toBe("malformed");
    expect(r.stdout).not.toContain(TOKEN);
    expect(r.stdout).not.toContain(AES_KEY);
    const text = await runMpsync(["status"], childEnv(db, redis, sim, { WECHAT_PUSH_TOKEN: TOKEN }));
    expect(text.stdout).toMatch(new RegExp(`${APP_ID} push: plaintext at /wechat/push/${APP_ID} \\| last event PUBLISHJOBFINISH at`));

    const config = { ...runtime.config, http: { ...runtime.config.http, adminToken: ADMIN } };
    const consoleServer = await startHttpServer({ config, reads: runtime.reads, redis: runtime.redis, logger: runtime.logger, metrics, pushes: runtime.pushes, enqueuePush: worker.enqueuePush });
    try {
      const cookie = await httpLogin(consoleServer.url);
      const page = await (await fetch(`${consoleServer.url}/`, { headers: { cookie } })).text();
      const account = page.slice(page.indexOf(`data-account="${APP_ID}"`));
      expect(account).toMatch(/Message push \(encrypted\) at <code>\/wechat\/push\/wxsimulator000001<\/code>: last event PUBLISHJOBFINISH/);
      expect(account).toMatch(/last error .*status 4 \(recorded\)/);
      expect(page.slice(page.indexOf('data-account="wxnopush"'))).toMatch(/Message push: not configured/);
      expect(page).not.toContain(TOKEN);
    } finally {
      await consoleServer.app.close();
    }
  });
});
