// Each error class over real HTTP, with the retry decision checked by the number of
// requests the simulator actually received.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startSimulator, type Simulator } from "../../src/simulator/index.ts";
import {
  AccountRejectedError,
  QuotaExhaustedError,
  RateLimitedError,
  TokenInvalidError,
  TransientError,
  TransportError,
  type WeChatError,
} from "../../src/wechat/index.ts";
import { createTestRedis } from "../helpers/db.ts";
import { APP, FAIL_AT_ONCE, FAST_RETRY, account, makeClient, rejectionOf } from "./harness.ts";

const { redis, prefix } = createTestRedis();
const LIST = "/cgi-bin/freepublish/batchget";
const TOKEN = "/cgi-bin/stable_token";
let sim: Simulator;
let client: ReturnType<typeof makeClient>;

const calls = (endpoint: string) => sim.counters().calls[endpoint] ?? 0;

beforeAll(async () => {
  sim = await startSimulator({ apps: [APP], seed: { seed: 3, published: 30, maxNewsItems: 2, contentBytes: 200, materials: { image: 3 } } });
  client = makeClient({ url: sim.url, redis, prefix });
  await client.getMaterialCount(); // warm the token so counts below are of list requests
});
afterAll(async () => {
  await client?.close();
  await sim?.close();
});
// every test starts with a valid cached token and zeroed counters, whatever the one before did.
// The latency tests abandon requests the simulator still answers 1.5-2 s later: without
// waiting for them, one lands in a later test's counters (e.g. a second 42001 after expireTokens).
beforeEach(async () => {
  sim.setFaults({});
  await client.getMaterialCount();
  await sim.settled();
  sim.resetCounters();
});
afterEach(() => sim.setFaults({}));

describe("transient failures: bounded exponential retry", () => {
  it.each([
    ["system busy (-1)", { systemBusyRate: 1 }, TransientError],
    ["HTTP 5xx", { http5xxRate: 1 }, TransportError],
    ["connection reset", { resetRate: 1 }, TransportError],
    ["truncated body", { truncateRate: 1 }, TransportError],
  ])("%s: 5 attempts, then the typed error", async (_name, faults, Cls) => {
    sim.setFaults(faults);
    const e = await rejectionOf(client.batchGetPublished({ offset: 0, count: 10 }));
    expect(e).toBeInstanceOf(Cls);
    expect(e).toBeInstanceOf(TransientError);
    expect(calls(LIST)).toBe(5);
    expect(calls(TOKEN)).toBe(0);
  });

  it("HTTP 5xx carries the status; a reset carries none", async () => {
    sim.setFaults({ http5xxRate: 1 });
    const e = (await rejectionOf(client.getMaterialCount())) as TransportError;
    expect([500, 502, 503]).toContain(e.status);
    sim.setFaults({ resetRate: 1 });
    expect(await rejectionOf(client.getMaterialCount())).toMatchObject({ name: "TransportError", status: null });
  });

  it("recovers when a retry succeeds, and reports every request in attempts", async () => {
    sim.setFaults({ systemBusyRate: 0.5, seed: 9 });
    let total = 0;
    for (let offset = 0; offset < 30; offset += 10) {
      const page = await client.batchGetPublished({ offset, count: 10 });
      expect(page.items).toHaveLength(10);
      total += page.attempts;
    }
    expect(total).toBe(calls(LIST));
    expect(sim.counters().errcodes[`${LIST} -1`] ?? 0).toBe(total - 3);
    expect(total).toBeGreaterThan(3); // the seed does fail some requests
  });

  it("stops at the total time bound even with attempts left", async () => {
    const slow = makeClient({ url: sim.url, redis, prefix }, { retry: { ...FAST_RETRY, maxAttempts: 1000, minDelayMs: 20, maxDelayMs: 20, maxTotalMs: 300 } });
    try {
      sim.setFaults({ systemBusyRate: 1 });
      await expect(slow.batchGetPublished({ offset: 0, count: 1 })).rejects.toBeInstanceOf(TransientError);
      expect(calls(LIST)).toBeGreaterThan(1);
      expect(calls(LIST)).toBeLessThan(1000);
    } finally {
      await slow.close();
    }
  });

  it("a headers timeout is a transient TransportError", async () => {
    const impatient = makeClient({ url: sim.url, redis, prefix }, { retry: { ...FAST_RETRY, maxAttempts: 2 }, transport: { headersTimeoutMs: 100 } });
    try {
      sim.setFaults({ latencyMs: 1_500 });
      const e = await rejectionOf(impatient.batchGetPublished({ offset: 0, count: 1 }));
      expect(e).toBeInstanceOf(TransportError);
      expect((e.cause as { code?: string }).code).toBe("UND_ERR_HEADERS_TIMEOUT");
      expect(calls(LIST)).toBe(2);
    } finally {
      await impatient.close();
    }
  });
});

describe("45011: wait for the next minute, bounded", () => {
  it("waits once and succeeds", async () => {
    const waits: number[] = [];
    const c = makeClient({ url: sim.url, redis, prefix }, { retry: { ...FAST_RETRY, rateLimitDelayMs: (now) => (waits.push(now), 5) } });
    try {
      sim.setFaults({ rateLimitBurst: 1 });
      const page = await c.batchGetPublished({ offset: 0, count: 5 });
      expect(page.attempts).toBe(2);
      expect(waits).toHaveLength(1);
      expect(calls(LIST)).toBe(2);
    } finally {
      await c.close();
    }
  });

  it("gives up after rateLimitMaxWaits waits", async () => {
    sim.setFaults({ rateLimitBurst: 50 });
    const e = await rejectionOf(client.batchGetPublished({ offset: 0, count: 5 }));
    expect(e).toBeInstanceOf(RateLimitedError);
    expect(e).toMatchObject({ errcode: 45011 });
    expect(calls(LIST)).toBe(3); // the first request and one after each of the 2 waits
  });

  it("does not start a wait longer than the time left", async () => {
    const c = makeClient({ url: sim.url, redis, prefix }, { retry: { ...FAST_RETRY, maxTotalMs: 1_000, rateLimitDelayMs: () => 60_000 } });
    try {
      sim.setFaults({ rateLimitBurst: 1 });
      await expect(c.batchGetPublished({ offset: 0, count: 5 })).rejects.toBeInstanceOf(RateLimitedError);
      expect(calls(LIST)).toBe(1);
    } finally {
      await c.close();
    }
  });
});

describe("errors that fail at once", () => {
  it("45009 quota exhausted: one request", async () => {
    sim.setFaults({ quotaBudget: 0 });
    const e = await rejectionOf(client.batchGetPublished({ offset: 0, count: 5 }));
    expect(e).toBeInstanceOf(QuotaExhaustedError);
    expect(e).toMatchObject({ errcode: 45009 });
    expect(calls(LIST)).toBe(1);
  });

  it.each(FAIL_AT_ONCE)("errcode %i (%s): one request", async (code, name, Cls) => {
    sim.setFaults({ forceErrcode: code });
    const e = await rejectionOf(client.batchGetMaterial({ type: "image", offset: 0, count: 5 }));
    expect(e).toBeInstanceOf(Cls);
    expect(e).toMatchObject({ name, errcode: code, endpoint: "/cgi-bin/material/batchget_material" });
    expect((e as WeChatError).errmsg).not.toMatch(/rid:/);
    expect(calls("/cgi-bin/material/batchget_material")).toBe(1);
    expect(calls(TOKEN)).toBe(0);
  });
});

describe("token errors: compare-and-refresh, retry exactly once", () => {
  it("an expired token (42001) is refreshed once and the call succeeds", async () => {
    sim.expireTokens();
    const page = await client.batchGetPublished({ offset: 0, count: 5 });
    expect(page.items).toHaveLength(5);
    expect(page.attempts).toBe(3); // failed list request, token fetch, list request
    expect(calls(LIST)).toBe(2);
    expect(calls(TOKEN)).toBe(1);
    expect(sim.counters().errcodes[`${LIST} 42001`]).toBe(1);
  });

  it("a token error that persists fails after exactly one retry", async () => {
    sim.setFaults({ forceErrcode: 40001 });
    const e = await rejectionOf(client.batchGetPublished({ offset: 0, count: 5 }));
    expect(e).toBeInstanceOf(TokenInvalidError);
    expect(e).toMatchObject({ errcode: 40001 });
    expect(calls(LIST)).toBe(2);
    expect(calls(TOKEN)).toBe(1);
  });

  it("a bad secret at the token endpoint is an AccountRejectedError naming the appId, not the secret", async () => {
    const bad = makeClient({ url: sim.url, redis, prefix: `${prefix}:bad` }, { account: account("stable", "wrong-secret-9z9z9z") });
    try {
      const e = await rejectionOf(bad.batchGetPublished({ offset: 0, count: 5 }));
      expect(e).toBeInstanceOf(AccountRejectedError);
      expect(e).toMatchObject({ errcode: 40125, endpoint: TOKEN, appId: APP.appId });
      expect(e.message).toContain(APP.appId);
      expect(JSON.stringify(e) + e.message + String(e.stack)).not.toContain("wrong-secret-9z9z9z");
      expect(calls(TOKEN)).toBe(1);
      expect(calls(LIST)).toBe(0);
    } finally {
      await bad.close();
    }
  });

  it("a transient failure of the token endpoint is retried like any other", async () => {
    await redis.del(`${prefix}:token:${APP.appId}`);
    sim.setFaults({ systemBusyRate: 1, endpoints: [TOKEN] });
    await expect(client.batchGetPublished({ offset: 0, count: 5 })).rejects.toBeInstanceOf(TransientError);
    expect(calls(TOKEN)).toBe(5);
    expect(calls(LIST)).toBe(0);
  });
});

describe("AbortSignal", () => {
  it("aborts a request in flight with the signal's reason, without retrying", async () => {
    sim.setFaults({ latencyMs: 2_000 });
    const ctl = new AbortController();
    const reason = new Error("shutting down");
    const pending = rejectionOf(client.batchGetPublished({ offset: 0, count: 5, signal: ctl.signal }));
    // abort once the request is at the server (not on a timer: a slow machine may not be there yet)
    await vi.waitFor(() => expect(calls(LIST)).toBe(1), { timeout: 10_000, interval: 10 });
    ctl.abort(reason);
    const e = await pending;
    expect(e).toBe(reason);
    expect(calls(LIST)).toBe(1);
  });

  it("aborts a rate-limit wait", async () => {
    const c = makeClient({ url: sim.url, redis, prefix }, { retry: { ...FAST_RETRY, maxTotalMs: 120_000, rateLimitDelayMs: () => 60_000 } });
    try {
      sim.setFaults({ rateLimitBurst: 1 });
      const ctl = new AbortController();
      const pending = rejectionOf(c.batchGetPublished({ offset: 0, count: 5, signal: ctl.signal }));
      await vi.waitFor(() => expect(calls(LIST)).toBe(1), { timeout: 10_000, interval: 10 });
      ctl.abort(new Error("stop"));
      const e = await pending;
      expect(e.message).toBe("stop");
      expect(calls(LIST)).toBe(1);
    } finally {
      await c.close();
    }
  });

  it("an already aborted signal makes no request", async () => {
    const ctl = new AbortController();
    ctl.abort(new Error("early"));
    await expect(client.getMaterialCount({ signal: ctl.signal })).rejects.toThrow("early");
    expect(sim.counters().calls).toEqual({});
  });
});

describe("mixed failures", () => {
  it("the token retry still happens after transient failures used up all but one attempt", async () => {
    const c = makeClient({ url: sim.url, redis, prefix }, { retry: { ...FAST_RETRY, maxAttempts: 2 } });
    try {
      await c.getMaterialCount();
      sim.resetCounters();
      // first list request: the token expires and the simulator answers 500 (a failing hook)
      let first = true;
      sim.onRequest(() => {
        if (first) {
          first = false;
          sim.expireTokens();
          throw new Error("injected");
        }
      });
      const page = await c.batchGetPublished({ offset: 0, count: 1 });
      expect(page.items).toHaveLength(1);
      expect(page.attempts).toBe(4); // 500, 42001, token fetch, success
      expect(sim.counters().errcodes[`${LIST} 42001`]).toBe(1);
    } finally {
      sim.onRequest(undefined);
      await c.close();
    }
  });
});
