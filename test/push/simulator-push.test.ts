// The simulator's side of message push, over real HTTP: freepublish/getarticle (with its
// daily quota and 53600), the WeChat client's getArticle, and PUBLISHJOBFINISH pushes sent
// through the control routes with WeChat's retry on timeout.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/simulator/index.ts";
import { ArticleNotFoundError, QuotaExhaustedError } from "../../src/wechat/errors.ts";
import { decodePush } from "../../src/wechat/push/index.ts";
import { createTestRedis } from "../helpers/db.ts";
import { APP, call, legacyToken } from "../simulator/http.ts";
import { APP as CLIENT_APP, makeClient } from "../wechat/harness.ts";

const GETARTICLE = "/cgi-bin/freepublish/getarticle";
const AES = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR";
const redis = createTestRedis();
let sim: Simulator;

/** a receiver that records what it gets and answers after `delayMs` (never, when null) */
async function receiver(delayMs: number | null): Promise<{ url: string; got: { url: string; body: string }[]; close(): Promise<void> }> {
  const got: { url: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      got.push({ url: req.url!, body });
      if (delayMs !== null) setTimeout(() => res.end("success"), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/wechat/push/${APP.appId}`,
    got,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

beforeAll(async () => {
  sim = await startSimulator({ apps: [APP, CLIENT_APP], seed: { seed: 4, published: 3, maxNewsItems: 3, contentBytes: 200, materials: {} } });
});
afterAll(async () => {
  await sim?.close();
});

describe("freepublish/getarticle", () => {
  it("answers the listed article's news items and times, 53600 for an unknown id, 45009 once its quota is spent", async () => {
    const token = await legacyToken(sim);
    const listed = sim.published()[1]!;
    const r = await call(sim, GETARTICLE, { query: { access_token: token }, body: { article_id: listed.article_id } });
    expect(r.json.news_item.map((n: { title: string }) => n.title)).toEqual(listed.news_item.map((n) => n.title));
    expect(r.json).toMatchObject({ create_time: listed.create_time, update_time: listed.update_time });
    expect((await call(sim, GETARTICLE, { query: { access_token: token }, body: { article_id: "nope" } })).json.errcode).toBe(53600);
    sim.setDailyLimits({ [GETARTICLE]: 3 });
    expect((await call(sim, "/cgi-bin/openapi/quota/get", { query: { access_token: token }, body: { cgi_path: GETARTICLE } })).json.quota).toEqual({ daily_limit: 3, used: 2, remain: 1 });
    await call(sim, GETARTICLE, { query: { access_token: token }, body: { article_id: listed.article_id } });
    expect((await call(sim, GETARTICLE, { query: { access_token: token }, body: { article_id: listed.article_id } })).json.errcode).toBe(45009);
    sim.setDailyLimits({});
    sim.newQuotaDay();
  });

  it("the client's getArticle: validated news items, ArticleNotFoundError, QuotaExhaustedError", async () => {
    const client = makeClient({ url: sim.url, redis: redis.redis, prefix: redis.prefix });
    try {
      const listed = sim.published()[0]!;
      const a = await client.getArticle(listed.article_id);
      expect(a.articleId).toBe(listed.article_id);
      expect(a.newsItems.map((n) => n.content)).toEqual(listed.news_item.map((n) => n.content));
      expect(a.updateTime).toBe(listed.update_time);
      await expect(client.getArticle("nope")).rejects.toBeInstanceOf(ArticleNotFoundError);
      sim.setDailyLimits({ [GETARTICLE]: 0 });
      await expect(client.getArticle(listed.article_id)).rejects.toBeInstanceOf(QuotaExhaustedError);
    } finally {
      sim.setDailyLimits({});
      await client.close();
    }
  });
});

describe("pushes", () => {
  it("a publish pushes a signed, encrypted PUBLISHJOBFINISH that decodes for the app (control routes)", async () => {
    const rx = await receiver(0);
    try {
      const cfg = await call(sim, "/__sim/push/config", { body: { url: rx.url, token: "tok123", aesKey: AES, mode: "safe" } });
      expect(cfg.status).toBe(200);
      const pub = await call(sim, "/__sim/publish", { body: { count: 1 } });
      const articleId = pub.json.articles[0].article_id as string;
      await sim.pushesSettled();
      expect(rx.got).toHaveLength(1);
      const u = new URL(rx.got[0]!.url, "http://x");
      const d = decodePush(Object.fromEntries(u.searchParams), rx.got[0]!.body, { token: "tok123", aesKey: AES, appId: APP.appId });
      expect(d.mode).toBe("safe");
      expect(d.publish).toMatchObject({ publishStatus: 0, articleId });
      expect(rx.got[0]!.body).not.toContain(articleId);
      const log = await call(sim, "/__sim/push/log");
      expect(log.json.attempts.at(-1)).toMatchObject({ outcome: "answered", httpStatus: 200, body: "success" });
    } finally {
      await call(sim, "/__sim/push/config", { body: {} });
      await rx.close();
    }
  });

  it("an unanswered push is sent again after the wait, three times in all, with the same message", async () => {
    const rx = await receiver(null);
    try {
      sim.setPush({ url: rx.url, token: "tok123", mode: "plaintext", timeoutMs: 100 });
      const r = await call(sim, "/__sim/push/event", { body: { status: 3, fail_idx: [2] } });
      expect(r.json.attempts.map((a: { outcome: string }) => a.outcome)).toEqual(["timeout", "timeout", "timeout"]);
      expect(rx.got).toHaveLength(3);
      expect(new Set(rx.got.map((g) => g.url + g.body)).size).toBe(1);
      const d = decodePush(Object.fromEntries(new URL(rx.got[0]!.url, "http://x").searchParams), rx.got[0]!.body, { token: "tok123", appId: APP.appId });
      expect(d.publish).toMatchObject({ publishStatus: 3, failIdx: [2], articleId: null });
    } finally {
      sim.setPush(undefined);
      await rx.close();
    }
  });
});
