// The console's session costs nothing until someone logs in: a flood of requests to /login
// (the form, refused CSRF, wrong tokens, rate-limited ones) adds no session to Redis, the
// login form's CSRF protection works without one, and a login ends after its idle and its
// absolute lifetime. Real Redis and Postgres, over HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import type { AppConfig } from "../../src/config/config.ts";
import type { ConsoleSessionSettings } from "../../src/config/defaults.ts";
import { redisSessionStore, sessionKey } from "../../src/http/console/session.ts";
import { startHttpServer } from "../../src/http/server.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createMetrics } from "../../src/metrics/registry.ts";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import { httpLogin, loginForm, postLogin } from "../helpers/console-login.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { until } from "../jobs/harness.ts";
import { appConfig } from "../sync/harness.ts";

const ADMIN_TOKEN = "session-Admin-Token-0123456789";
const db = await createTestDatabase();
const redis = createTestRedis();
let runtime: Runtime;
const servers: FastifyInstance[] = [];

/** A console server of its own key space (`space`) with these lifetimes; clients are told apart by X-Forwarded-For from loopback. */
async function consoleServer(space: string, consoleSession?: ConsoleSessionSettings): Promise<{ base: string; prefix: string }> {
  const prefix = `${redis.prefix}:${space}`;
  const config: AppConfig = { ...runtime.config, redisPrefix: prefix, http: { port: 0, host: "127.0.0.1", adminToken: ADMIN_TOKEN, trustProxy: ["127.0.0.1"], consoleSession } };
  const { app, url } = await startHttpServer({ config, reads: runtime.reads, redis: runtime.redis, logger: runtime.logger, metrics: createMetrics({ defaultMetrics: false }) });
  servers.push(app);
  return { base: url, prefix };
}

async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis.redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== "0");
  return keys;
}

const sessionKeys = (prefix: string) => keysUnder(`${prefix}:console:session`);
const from = (ip: string) => ({ "x-forwarded-for": ip });

beforeAll(async () => {
  runtime = createRuntime(appConfig(db, redis, "http://127.0.0.1:9"), { logger: createLogger("silent") });
});

afterAll(async () => {
  for (const s of servers) await s.close();
  await runtime?.close();
});

describe("console sessions", () => {
  it("10,000 requests to /login (the form, forged and wrong POSTs) add a handful of Redis keys at most, and no session", { timeout: 240_000 }, async () => {
    const { base, prefix } = await consoleServer("flood");
    const attacker = from("203.0.113.7");
    const form = await loginForm(base, attacker);
    const before = (await keysUnder(prefix)).length;
    const statuses = new Map<number, number>();
    const kinds = [
      () => fetch(`${base}/login`, { headers: attacker }),
      // a session cookie nobody issued
      () => fetch(`${base}/login`, { headers: { ...attacker, cookie: "mpsync_session=forged.id" } }),
      // no CSRF token: 403
      () => fetch(`${base}/login`, { method: "POST", headers: { ...attacker, "content-type": "application/x-www-form-urlencoded" }, body: "token=guess-guess-guess-guess" }),
      // a valid form, a wrong token: 401, then 429 once the client is over the limit
      () => fetch(`${base}/login`, { method: "POST", redirect: "manual", headers: { ...attacker, cookie: form.cookie, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ _csrf: form.csrf, token: "guess-guess-guess-guess" }) }),
    ];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < 10_000) {
          const i = next++;
          const r = await kinds[i % kinds.length]!();
          await r.arrayBuffer();
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        }
      }),
    );
    expect([...statuses.keys()].sort()).toEqual([200, 401, 403, 429]);
    const added = (await keysUnder(prefix)).length - before;
    // the attacker's failure counter (one key, expiring with its window)
    expect(added).toBeLessThanOrEqual(3);
    expect(await sessionKeys(prefix)).toEqual([]);

    // another client logs in meanwhile: exactly one session
    const login = await httpLogin(base, ADMIN_TOKEN, from("198.51.100.9"));
    expect(login.status).toBe(303);
    expect(await sessionKeys(prefix)).toHaveLength(1);
    expect((await fetch(`${base}/`, { redirect: "manual", headers: { cookie: login.cookie } })).status).toBe(200);
  });

  it("the login form's CSRF protection works without a session: refused without a token, with a wrong one, with another browser's", async () => {
    const { base, prefix } = await consoleServer("csrf");
    const client = from("198.51.100.20");
    const form = await loginForm(base, client);
    expect(form.cookie).toMatch(/^mpsync_csrf=/);
    expect(form.cookie).not.toContain("mpsync_session");
    const post = (cookie: string | undefined, body: Record<string, string>) =>
      fetch(`${base}/login`, { method: "POST", redirect: "manual", headers: { ...client, ...(cookie ? { cookie } : {}), "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(body) });
    expect((await post(form.cookie, { token: ADMIN_TOKEN })).status).toBe(403);
    expect((await post(form.cookie, { token: ADMIN_TOKEN, _csrf: "forged-token" })).status).toBe(403);
    expect((await post(undefined, { token: ADMIN_TOKEN, _csrf: form.csrf })).status).toBe(403);
    const other = await loginForm(base, client);
    expect((await post(other.cookie, { token: ADMIN_TOKEN, _csrf: form.csrf })).status).toBe(403);
    // an unsigned secret of the attacker's choosing is not a CSRF cookie
    expect((await post("mpsync_csrf=attacker-secret", { token: ADMIN_TOKEN, _csrf: form.csrf })).status).toBe(403);
    expect(await sessionKeys(prefix)).toEqual([]);
    expect((await postLogin(base, form, ADMIN_TOKEN, client)).status).toBe(303);
    expect(await sessionKeys(prefix)).toHaveLength(1);
  });

  it("a login ends after its idle lifetime without requests; each request starts the idle time again", async () => {
    const { base, prefix } = await consoleServer("idle", { idleMs: 1_500, maxMs: 3_600_000 });
    const login = await httpLogin(base, ADMIN_TOKEN, from("198.51.100.30"));
    expect(login.status).toBe(303);
    const [key] = await sessionKeys(prefix);
    const first = await redis.redis.pttl(key!);
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(1_500);
    await new Promise((r) => setTimeout(r, 400));
    expect((await fetch(`${base}/runs`, { redirect: "manual", headers: { cookie: login.cookie } })).status).toBe(200);
    // renewed by the request: more time left than 400 ms after the login
    expect(await redis.redis.pttl(key!)).toBeGreaterThan(first - 400);
    await new Promise((r) => setTimeout(r, 2_000));
    const after = await fetch(`${base}/`, { redirect: "manual", headers: { cookie: login.cookie } });
    expect(after.status).toBe(303);
    expect(after.headers.get("location")).toBe("/login");
    expect(await sessionKeys(prefix)).toEqual([]);
  });

  it("a request still in flight when a login ended (logout, expiry) cannot write it back; an anonymous session is never written", async () => {
    const prefix = `${redis.prefix}:store`;
    const store = redisSessionStore(redis.redis, prefix, { idleMs: 60_000, maxMs: 3_600_000 });
    const set = (id: string, data: object) => new Promise<void>((resolve, reject) => store.set(id, data as never, (e?: unknown) => (e ? reject(e) : resolve())));
    const destroy = (id: string) => new Promise<void>((resolve, reject) => store.destroy(id, (e?: unknown) => (e ? reject(e) : resolve())));
    const login = { admin: true, loginAt: Date.now(), cookie: {} };
    await set("anon", { cookie: {}, flash: "x" });
    expect(await redis.redis.exists(sessionKey(prefix, "anon"))).toBe(0);
    await set("s1", { ...login, justLoggedIn: true });
    expect(JSON.parse((await redis.redis.get(sessionKey(prefix, "s1")))!)).not.toHaveProperty("justLoggedIn");
    await set("s1", { ...login, flash: "renewed" });
    expect(JSON.parse((await redis.redis.get(sessionKey(prefix, "s1")))!)).toMatchObject({ flash: "renewed" });
    await destroy("s1");
    // the in-flight request's rolling write
    await set("s1", login);
    expect(await redis.redis.exists(sessionKey(prefix, "s1"))).toBe(0);
  });

  it("a login ends at its absolute lifetime even while in use", async () => {
    const { base, prefix } = await consoleServer("absolute", { idleMs: 3_600_000, maxMs: 2_000 });
    const login = await httpLogin(base, ADMIN_TOKEN, from("198.51.100.40"));
    expect(login.status).toBe(303);
    const [key] = await sessionKeys(prefix);
    expect(await redis.redis.pttl(key!)).toBeLessThanOrEqual(2_000);
    expect((await fetch(`${base}/`, { redirect: "manual", headers: { cookie: login.cookie } })).status).toBe(200);
    // requests keep coming (each would renew an idle-only session for an hour)
    await until(async () => (await fetch(`${base}/runs`, { redirect: "manual", headers: { cookie: login.cookie } })).status === 303, 20_000, "the login to reach its absolute lifetime");
    expect(await sessionKeys(prefix)).toEqual([]);
  });
});
