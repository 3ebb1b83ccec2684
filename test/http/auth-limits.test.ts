// Failed authentication is limited per client, keyed on the real client address: wrong
// bearer tokens on /admin/* and /v1/* and failed console logins answer 429 with
// Retry-After once a client is over the limit, a limited client never locks out another,
// and X-Forwarded-For counts only as far as HTTP_TRUST_PROXY trusts it. Real Redis.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import type { AppConfig } from "../../src/config/config.ts";
import { startHttpServer } from "../../src/http/server.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createMetrics } from "../../src/metrics/registry.ts";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import { httpLogin } from "../helpers/console-login.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { appConfig } from "../sync/harness.ts";

const ADMIN_TOKEN = "limits-Admin-Token-0123456789";
const READ_TOKEN = "limits-Read-Token-0123456789";
const LIMIT = 3;
const db = await createTestDatabase();
const redis = createTestRedis();
let runtime: Runtime;
const servers: FastifyInstance[] = [];

async function server(space: string, trustProxy: AppConfig["http"]["trustProxy"], client: Redis = runtime.redis): Promise<{ base: string; prefix: string }> {
  const prefix = `${redis.prefix}:${space}`;
  const config: AppConfig = { ...runtime.config, redisPrefix: prefix, http: { port: 0, host: "127.0.0.1", adminToken: ADMIN_TOKEN, readApiToken: READ_TOKEN, trustProxy, authFailuresPerMinute: LIMIT } };
  const { app, url } = await startHttpServer({ config, reads: runtime.reads, redis: client, logger: runtime.logger, metrics: createMetrics({ defaultMetrics: false }) });
  servers.push(app);
  return { base: url, prefix };
}

let trusted: { base: string; prefix: string };

beforeAll(async () => {
  runtime = createRuntime(appConfig(db, redis, "http://127.0.0.1:9"), { logger: createLogger("silent") });
  trusted = await server("trusted", ["127.0.0.1"]);
});

afterAll(async () => {
  for (const s of servers) await s.close();
  await runtime?.close();
});

async function get(base: string, path: string, o: { token?: string; xff?: string } = {}): Promise<{ status: number; retryAfter: string | null; body: { error?: string; message?: string } }> {
  const headers: Record<string, string> = {};
  if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
  if (o.xff !== undefined) headers["x-forwarded-for"] = o.xff;
  const r = await fetch(base + path, { headers });
  return { status: r.status, retryAfter: r.headers.get("retry-after"), body: (await r.json()) as { error?: string } };
}

async function failureKeys(prefix: string): Promise<string[]> {
  return redis.redis.keys(`${prefix}:http:auth-failures:*`);
}

describe("failed authentication per client", () => {
  it("wrong bearer tokens on /admin/* and /v1/* end in 429 with Retry-After, even for the right token, for that client only", async () => {
    const x = "203.0.113.1";
    for (let i = 0; i < LIMIT; i++) expect((await get(trusted.base, "/admin/runs", { token: `wrong-${i}-000000000000`, xff: x })).status).toBe(401);
    const limited = await get(trusted.base, "/admin/runs", { token: "wrong-again-0000000000", xff: x });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: "rate_limited", message: expect.stringMatching(/retry in \d+ s/) });
    expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(limited.retryAfter)).toBeLessThanOrEqual(60);
    // while limited, the right token does not get through either (else guessing goes on)
    expect((await get(trusted.base, "/admin/runs", { token: ADMIN_TOKEN, xff: x })).status).toBe(429);
    expect((await get(trusted.base, "/v1/materials", { token: READ_TOKEN, xff: x })).status).toBe(429);
    // the same routes by an encoded path
    expect((await get(trusted.base, "/%61dmin/runs", { token: ADMIN_TOKEN, xff: x })).status).toBe(429);
    // another client is not locked out, and has its own count
    const y = "203.0.113.2";
    expect((await get(trusted.base, "/admin/runs", { token: ADMIN_TOKEN, xff: y })).status).toBe(200);
    expect((await get(trusted.base, "/v1/materials", { token: READ_TOKEN, xff: y })).status).toBe(200);
    expect((await get(trusted.base, "/v1/changes", { token: "wrong-read-token-00000", xff: y })).status).toBe(401);
    // a request without a token guessed nothing: never counted
    const w = "203.0.113.3";
    for (let i = 0; i < LIMIT * 3; i++) expect((await get(trusted.base, "/admin/runs", { xff: w })).status).toBe(401);
    expect((await get(trusted.base, "/admin/runs", { token: ADMIN_TOKEN, xff: w })).status).toBe(200);
  });

  it("wrong read tokens on /v1/* are limited the same way", async () => {
    const z = "203.0.113.4";
    for (let i = 0; i < LIMIT; i++) expect((await get(trusted.base, "/v1/changes", { token: `wrong-${i}-000000000000`, xff: z })).status).toBe(401);
    expect((await get(trusted.base, "/v1/changes", { token: READ_TOKEN, xff: z })).status).toBe(429);
    // public routes too: a token that fails anywhere under /v1 is a guess
    expect((await get(trusted.base, "/v1/articles", { xff: z })).status).toBe(200);
    expect((await get(trusted.base, "/v1/articles", { token: READ_TOKEN, xff: z })).status).toBe(429);
  });

  it("failed console logins count with the client's wrong tokens: 429 with Retry-After, the right token waits too", async () => {
    const l = { "x-forwarded-for": "203.0.113.5" };
    expect((await httpLogin(trusted.base, "wrong-login-token-000", l)).status).toBe(401);
    expect((await get(trusted.base, "/admin/runs", { token: "wrong-token-1-0000000", xff: "203.0.113.5" })).status).toBe(401);
    expect((await httpLogin(trusted.base, "wrong-login-token-001", l)).status).toBe(401);
    const refused = await httpLogin(trusted.base, ADMIN_TOKEN, l);
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    // someone else logs in
    expect((await httpLogin(trusted.base, ADMIN_TOKEN, { "x-forwarded-for": "203.0.113.6" })).status).toBe(303);
  });

  it("the state is one expiring Redis key per failing client", async () => {
    const keys = await failureKeys(trusted.prefix);
    // the clients of the tests above that failed: .1, .2, .4, .5 (and none for .3 or .6)
    expect(keys.map((k) => k.split(":").pop()).sort()).toEqual(["203.0.113.1", "203.0.113.2", "203.0.113.4", "203.0.113.5"]);
    for (const k of keys) {
      const ttl = await redis.redis.pttl(k);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
  });

  it("an IPv6 client is one client across its /64", async () => {
    for (let i = 0; i < LIMIT; i++) expect((await get(trusted.base, "/admin/runs", { token: "wrong-token-00000000000", xff: `2001:db8:1:2::${i + 1}` })).status).toBe(401);
    expect((await get(trusted.base, "/admin/runs", { token: ADMIN_TOKEN, xff: "2001:db8:1:2:ffff:ffff:ffff:ffff" })).status).toBe(429);
    expect((await get(trusted.base, "/admin/runs", { token: ADMIN_TOKEN, xff: "2001:db8:1:3::1" })).status).toBe(200);
  });

  it("without Redis nothing is limited and nothing fails: wrong tokens 401, right ones 200", async () => {
    // a Redis nobody listens on: every command fails at once, as in an outage
    const down = new Redis("redis://127.0.0.1:1", { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    down.on("error", () => undefined);
    const { base } = await server("down", undefined, down);
    for (let i = 0; i < LIMIT + 2; i++) expect((await get(base, "/admin/runs", { token: "wrong-token-00000000000" })).status).toBe(401);
    expect((await get(base, "/admin/runs", { token: ADMIN_TOKEN })).status).toBe(200);
    expect((await get(base, "/v1/materials", { token: READ_TOKEN })).status).toBe(200);
    down.disconnect();
  });

  it("X-Forwarded-For counts only through trusted proxies: a client cannot pick its key", async () => {
    // the proxy (loopback, trusted) appends the real client; what the client wrote before it is not believed
    const real = "203.0.113.20";
    for (let i = 0; i < LIMIT; i++) expect((await get(trusted.base, "/admin/runs", { token: "wrong-token-00000000000", xff: `198.51.100.${i}, ${real}` })).status).toBe(401);
    expect((await get(trusted.base, "/admin/runs", { token: ADMIN_TOKEN, xff: `198.51.100.99, ${real}` })).status).toBe(429);

    // no trusted proxy: X-Forwarded-For is the client's own words and changes nothing
    const direct = await server("direct", undefined);
    for (let i = 0; i < LIMIT; i++) expect((await get(direct.base, "/admin/runs", { token: "wrong-token-00000000000", xff: `198.51.100.${i}` })).status).toBe(401);
    expect((await get(direct.base, "/admin/runs", { token: ADMIN_TOKEN, xff: "198.51.100.200" })).status).toBe(429);
    expect((await failureKeys(direct.prefix)).map((k) => k.split(":").pop())).toEqual(["127.0.0.1"]);

    // a hop count: the nearest hop's word is taken, earlier entries are not
    const hop = await server("hop", 1);
    for (let i = 0; i < LIMIT; i++) expect((await get(hop.base, "/admin/runs", { token: "wrong-token-00000000000", xff: `198.51.100.${i}, ${real}` })).status).toBe(401);
    expect((await get(hop.base, "/admin/runs", { token: ADMIN_TOKEN, xff: `198.51.100.77, ${real}` })).status).toBe(429);
    expect((await get(hop.base, "/admin/runs", { token: ADMIN_TOKEN, xff: "203.0.113.21" })).status).toBe(200);
  });
});
