// Tokens shared through Redis by several client instances ("processes" with separate
// in-memory state): one fetch per need, one refresh per burst of token errors, legacy
// tokens that do not knock each other out, and third-party refresh-token rotation.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startSimulator, type Simulator, type SimulatorOptions } from "../../src/simulator/index.ts";
import { AccountRejectedError, refreshTokenKey } from "../../src/wechat/index.ts";
import { createTestRedis } from "../helpers/db.ts";
import { APP, COMPONENT, account, authorizerAccount, makeClient } from "./harness.ts";

const { redis, prefix: filePrefix } = createTestRedis();
const LIST = "/cgi-bin/freepublish/batchget";
const seed = { seed: 5, published: 12, maxNewsItems: 1, contentBytes: 100, materials: {} };

let sim: Simulator | undefined;
const clients: { close(): Promise<void> }[] = [];
let n = 0;
/** a simulator and a Redis prefix of the test's own */
async function setup(opts: SimulatorOptions = {}) {
  sim = await startSimulator({ apps: [APP], seed, ...opts });
  return { sim, base: { url: sim.url, redis, prefix: `${filePrefix}:${++n}` } };
}
function track<T extends { close(): Promise<void> }>(c: T): T {
  clients.push(c);
  return c;
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await sim?.close();
  sim = undefined;
});
afterAll(() => {});

const burst = (c: ReturnType<typeof makeClient>, k: number) => Array.from({ length: k }, (_, i) => c.batchGetPublished({ offset: i % 10, count: 2 }));

describe("stable token shared by two processes", () => {
  it("a cold start with 20 concurrent calls fetches one token", async () => {
    const { sim, base } = await setup();
    const a = track(makeClient(base));
    const b = track(makeClient(base));
    const pages = await Promise.all([...burst(a, 10), ...burst(b, 10)]);
    expect(pages.every((p) => p.items.length === 2)).toBe(true);
    expect(sim.counters().calls["/cgi-bin/stable_token"]).toBe(1);
    expect(a.recorder.refreshes.length + b.recorder.refreshes.length).toBe(1);
    expect(await redis.exists(`${base.prefix}:token:${APP.appId}`)).toBe(1);
    expect(await redis.exists(`${base.prefix}:token:${APP.appId}:lock`)).toBe(0);
  });

  it("a burst of token errors across both processes causes one refresh", async () => {
    const { sim, base } = await setup();
    const a = track(makeClient(base));
    const b = track(makeClient(base));
    await a.getMaterialCount();
    sim.resetCounters();
    sim.expireTokens();
    const pages = await Promise.all([...burst(a, 10), ...burst(b, 10)]);
    expect(pages.every((p) => p.items.length === 2)).toBe(true);
    const c = sim.counters();
    expect(c.errcodes[`${LIST} 42001`]).toBeGreaterThanOrEqual(2);
    expect(c.calls["/cgi-bin/stable_token"]).toBe(1);
    expect(c.calls[LIST]).toBe(20 + (c.errcodes[`${LIST} 42001`] ?? 0));
    // every call's attempts add up to the requests made (the one token fetch included)
    expect(pages.reduce((s, p) => s + p.attempts, 0)).toBe(c.calls[LIST]! + 1);
  });

  it("a stale lock of a crashed process only delays the fetch until it expires", async () => {
    const { sim, base } = await setup();
    await redis.set(`${base.prefix}:token:${APP.appId}:lock`, "crashed-process", "PX", 300);
    const a = track(makeClient(base));
    expect((await a.batchGetPublished({ offset: 0, count: 1 })).items).toHaveLength(1);
    expect(sim.counters().calls["/cgi-bin/stable_token"]).toBe(1);
  });

  it("refreshes ahead of expiry, before WeChat rejects the token", async () => {
    const { sim, base } = await setup({ tokenTtlSeconds: 2 });
    const a = track(makeClient(base, { tokens: { pollMs: 5, refreshAheadMs: 1_500 } }));
    await a.getMaterialCount();
    await new Promise((r) => setTimeout(r, 1_100)); // past refreshAt (max(2 s - 1.5 s, 1 s)), before expiry
    await a.getMaterialCount();
    const c = sim.counters();
    expect(c.calls["/cgi-bin/stable_token"]).toBe(2);
    expect(Object.keys(c.errcodes).filter((k) => !k.endsWith(" 0"))).toEqual([]);
  });
});

describe("legacy /cgi-bin/token between two processes", () => {
  it("one fetch serves both; a token retired elsewhere is replaced once, without knocking the other out", async () => {
    const { sim, base } = await setup({ legacyGraceSeconds: 0 });
    const a = track(makeClient(base, { account: account("legacy") }));
    const b = track(makeClient(base, { account: account("legacy") }));
    await a.getMaterialCount();
    await b.getMaterialCount();
    expect(sim.counters().calls["/cgi-bin/token"]).toBe(1);

    // someone else fetches a legacy token: ours is retired at once (grace 0)
    const outside = await fetch(`${sim.url}/cgi-bin/token?grant_type=client_credential&appid=${APP.appId}&secret=${APP.secret}`);
    expect(((await outside.json()) as { access_token?: string }).access_token).toBeTruthy();
    sim.resetCounters();

    const pages = await Promise.all([...burst(a, 8), ...burst(b, 8)]);
    expect(pages.every((p) => p.items.length === 2)).toBe(true);
    let c = sim.counters();
    expect(c.errcodes[`${LIST} 40001`]).toBeGreaterThanOrEqual(2);
    // one new legacy token: a second fetch would have retired the first (grace 0) and failed calls
    expect(c.calls["/cgi-bin/token"]).toBe(1);

    // afterwards both processes use the same valid token
    sim.resetCounters();
    await Promise.all([a.getMaterialCount(), b.getMaterialCount(), b.batchGetPublished({ offset: 0, count: 1 })]);
    c = sim.counters();
    expect(c.calls["/cgi-bin/token"] ?? 0).toBe(0);
    expect(Object.keys(c.errcodes).filter((k) => !k.endsWith(" 0"))).toEqual([]);
  });

  it("after one process refreshed, the other uses the new token without an error of its own", async () => {
    const { sim, base } = await setup({ legacyGraceSeconds: 0 });
    const a = track(makeClient(base, { account: account("legacy") }));
    const b = track(makeClient(base, { account: account("legacy") }));
    await b.getMaterialCount();
    sim.expireTokens();
    sim.resetCounters();
    await a.getMaterialCount(); // 42001, refresh, retry
    expect(sim.counters().errcodes["/cgi-bin/material/get_materialcount 42001"]).toBe(1);
    sim.resetCounters();
    await b.getMaterialCount();
    expect(sim.counters().errcodes).toEqual({ "/cgi-bin/material/get_materialcount 0": 1 });
  });
});

describe("third-party authorizer", () => {
  const component = { ...COMPONENT, authorizers: COMPONENT.authorizers.map((a) => ({ ...a })) };
  const authAppId = COMPONENT.authorizers[0]!.appId;

  it("stores the rotated refresh token and uses it for the next refresh, also from another process", async () => {
    const { sim, base } = await setup({ component });
    const key = refreshTokenKey(base.prefix, authAppId);
    const a = track(makeClient(base, { account: authorizerAccount() }));
    const first = await a.batchGetPublished({ offset: 0, count: 3 });
    expect(first.attempts).toBe(3); // component token, authorizer token, list
    const r1 = await redis.get(key);
    expect(r1).toBe(sim.authorizerRefreshToken(authAppId));
    expect(r1).not.toBe(COMPONENT.authorizers[0]!.refreshToken);

    // another process, the cached access token gone: its refresh must use r1, not the configured one
    await redis.del(`${base.prefix}:token:${authAppId}`);
    const b = track(makeClient(base, { account: authorizerAccount() }));
    sim.resetCounters();
    expect((await b.batchGetPublished({ offset: 0, count: 3 })).items).toHaveLength(3);
    expect(sim.counters().errcodes).toMatchObject({ "/cgi-bin/component/api_authorizer_token 0": 1 });
    expect(sim.counters().calls["/cgi-bin/component/api_component_token"] ?? 0).toBe(0);
    const r2 = await redis.get(key);
    expect(r2).toBe(sim.authorizerRefreshToken(authAppId));
    expect(r2).not.toBe(r1);
  });

  it("expired component and authorizer tokens are both refreshed within one call", async () => {
    const { sim, base } = await setup({ component });
    const a = track(makeClient(base, { account: authorizerAccount() }));
    await a.getMaterialCount();
    sim.expireTokens();
    sim.resetCounters();
    expect((await a.batchGetPublished({ offset: 0, count: 2 })).items).toHaveLength(2);
    const c = sim.counters();
    expect(c.calls["/cgi-bin/component/api_component_token"]).toBe(1);
    expect(c.errcodes["/cgi-bin/component/api_authorizer_token 0"]).toBe(1);
    expect(await redis.get(refreshTokenKey(base.prefix, authAppId))).toBe(sim.authorizerRefreshToken(authAppId));
  });

  it("a lost refresh token (61023) is an AccountRejectedError naming the authorizer", async () => {
    const { base } = await setup({ component });
    const a = track(makeClient(base, { account: authorizerAccount() }));
    await a.getMaterialCount();
    // forget what WeChat handed back: the configured (already rotated) one is refused
    await redis.del(refreshTokenKey(base.prefix, authAppId), `${base.prefix}:token:${authAppId}`);
    const e = await a.getMaterialCount().catch((err: unknown) => err);
    expect(e).toBeInstanceOf(AccountRejectedError);
    expect(e).toMatchObject({ errcode: 61023, appId: authAppId });
  });
});
