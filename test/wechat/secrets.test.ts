// Secrets never reach a log line or a thrown error: failing calls of every kind run with a
// logger at level trace writing into memory, then every line and error is searched for
// the app secret, the component credentials, refresh tokens and every token issued.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/simulator/index.ts";
import { createTestRedis } from "../helpers/db.ts";
import { APP, COMPONENT, FAST_RETRY, account, authorizerAccount, makeClient, memoryLogger } from "./harness.ts";

const { redis, prefix } = createTestRedis();
const { logger, lines } = memoryLogger();
const errors: unknown[] = [];
const seenTokens = new Set<string>();
let sim: Simulator;

/** Every token value currently cached in Redis under this file's prefix. */
async function harvestTokens(): Promise<void> {
  const keys = await redis.keys(`${prefix}*`);
  for (const k of keys) {
    const type = await redis.type(k);
    if (type === "hash") {
      const t = await redis.hget(k, "token");
      if (t) seenTokens.add(t);
    } else if (type === "string" && k.endsWith(":refresh")) {
      const v = await redis.get(k);
      if (v) seenTokens.add(v);
    }
  }
}

async function run(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    errors.push(e);
  }
  await harvestTokens();
}

function secrets(): string[] {
  const auth = sim.authorizerRefreshToken(COMPONENT.authorizers[0]!.appId);
  return [APP.secret, "wrong-secret-77q", COMPONENT.secret, COMPONENT.verifyTicket, COMPONENT.authorizers[0]!.refreshToken, ...(auth ? [auth] : []), ...seenTokens];
}

/** Everything an error exposes: message, stack, own fields, and its cause chain. */
function dump(e: unknown, depth = 0): string {
  if (!(e instanceof Error) || depth > 3) return JSON.stringify(e) ?? String(e);
  return [e.message, e.stack ?? "", JSON.stringify(e), String(e), dump((e as { cause?: unknown }).cause, depth + 1)].join("\n");
}

beforeAll(async () => {
  sim = await startSimulator({
    apps: [APP],
    component: { ...COMPONENT, authorizers: COMPONENT.authorizers.map((a) => ({ ...a })) },
    seed: { seed: 9, published: 6, maxNewsItems: 1, contentBytes: 100, materials: {} },
    legacyGraceSeconds: 0,
  });
  const base = { url: sim.url, redis, prefix };
  const opts = { logger, retry: { ...FAST_RETRY, maxAttempts: 3 } };
  const stable = makeClient(base, opts);
  const legacy = makeClient({ ...base, prefix: `${prefix}:legacy` }, { ...opts, account: account("legacy") });
  const auth = makeClient({ ...base, prefix: `${prefix}:auth` }, { ...opts, account: authorizerAccount() });
  const badStable = makeClient({ ...base, prefix: `${prefix}:bad1` }, { ...opts, account: account("stable", "wrong-secret-77q") });
  const badLegacy = makeClient({ ...base, prefix: `${prefix}:bad2` }, { ...opts, account: account("legacy", "wrong-secret-77q") });
  const nowhere = makeClient({ url: "http://127.0.0.1:9", redis, prefix: `${prefix}:down` }, opts);
  const impatient = makeClient(base, { ...opts, transport: { headersTimeoutMs: 50 } });
  try {
    // successes first, so there are live tokens that could leak
    await run(stable.batchGetPublished({ offset: 0, count: 2 }));
    await run(legacy.getMaterialCount());
    await run(auth.getMaterialCount());
    // configuration errors at the token endpoints (the legacy one carries the secret in its query)
    await run(badStable.getMaterialCount());
    await run(badLegacy.getMaterialCount());
    // a 40001 storm: persistent, then a burst after the tokens expire
    sim.setFaults({ forceErrcode: 40001 });
    await run(Promise.all([stable.getMaterialCount(), legacy.getMaterialCount(), auth.getMaterialCount()]));
    sim.setFaults({});
    sim.expireTokens();
    await run(Promise.all([1, 2, 3].flatMap(() => [stable.getMaterialCount(), legacy.getMaterialCount(), auth.getMaterialCount()])));
    // transport failures of every sort
    for (const faults of [{ resetRate: 1 }, { http5xxRate: 1 }, { truncateRate: 1 }, { systemBusyRate: 1 }]) {
      sim.setFaults(faults);
      await run(stable.batchGetPublished({ offset: 0, count: 2 }));
      await run(legacy.batchGetPublished({ offset: 0, count: 2 }));
    }
    sim.setFaults({ latencyMs: 300 });
    await run(impatient.getMaterialCount());
    sim.setFaults({ resetRate: 1, endpoints: ["/cgi-bin/token", "/cgi-bin/stable_token", "/cgi-bin/component/api_authorizer_token"] });
    await redis.del(`${prefix}:token:${APP.appId}`, `${prefix}:legacy:token:${APP.appId}`, `${prefix}:auth:token:${COMPONENT.authorizers[0]!.appId}`);
    await run(Promise.all([stable.getMaterialCount(), legacy.getMaterialCount(), auth.getMaterialCount()]));
    sim.setFaults({});
    await run(nowhere.getMaterialCount());
  } finally {
    for (const c of [stable, legacy, auth, badStable, badLegacy, nowhere, impatient]) await c.close();
  }
});
afterAll(async () => {
  await sim?.close();
});

describe("no secret in logs or errors", () => {
  it("the scenario really failed in the ways it meant to, with logging at trace", () => {
    const names = new Set(errors.map((e) => (e as Error).name));
    for (const n of ["AccountRejectedError", "TokenInvalidError", "TransportError", "TransientError"]) expect(names).toContain(n);
    expect(lines.length).toBeGreaterThan(50);
    expect(lines.some((l) => l.includes('"level":"debug"'))).toBe(true);
    expect(seenTokens.size).toBeGreaterThanOrEqual(6);
  });

  it("no log line contains a secret or any token value", () => {
    const all = secrets();
    for (const line of lines) for (const s of all) expect(line.includes(s), `log line leaks a secret: ${line.slice(0, 200)}`).toBe(false);
    // the simulator's tokens are 64 base64url characters: nothing shaped like one either
    for (const line of lines) expect(line).not.toMatch(/[A-Za-z0-9_-]{64}/);
    expect(lines.join("\n")).not.toMatch(/access_token=(?!\*\*\*)/);
  });

  it("no thrown error (message, stack, JSON, cause) contains a secret or token", () => {
    const all = secrets();
    expect(errors.length).toBeGreaterThan(10);
    for (const e of errors) {
      const text = dump(e);
      for (const s of all) expect(text.includes(s), `error leaks a secret: ${text.slice(0, 200)}`).toBe(false);
      expect(text).not.toMatch(/access_token=/);
    }
  });
});

describe("redaction, the second line of defence", () => {
  // what a caller might log by mistake: a whole account, a URL with its token, an
  // error from elsewhere whose message carries one
  it("redacts secrets in objects, messages and errors", () => {
    const mem = memoryLogger();
    const token = "tok-7f3e9a1b2c4d5e6f";
    mem.logger.info({ account: authorizerAccount() }, "account loaded");
    mem.logger.info({ ...account() }, "flat account");
    mem.logger.warn(`GET https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=${APP.appId}&secret=${APP.secret}`);
    mem.logger.error({ err: new Error(`request to /cgi-bin/freepublish/batchget?access_token=${token} failed`) }, "upstream failed");
    mem.logger.debug({ req: { headers: { authorization: `Bearer ${token}` } }, access_token: token, nested: { component_access_token: token } }, "req");
    mem.logger.trace(
      {
        body: { component_appid: COMPONENT.appId, component_appsecret: COMPONENT.secret, component_verify_ticket: COMPONENT.verifyTicket },
        query: { component_access_token: token },
        refresh: { authorizer_refresh_token: COMPONENT.authorizers[0]!.refreshToken },
      },
      "token request",
    );
    const text = mem.lines.join("\n");
    expect(mem.lines).toHaveLength(6);
    for (const s of [APP.secret, COMPONENT.secret, COMPONENT.verifyTicket, COMPONENT.authorizers[0]!.refreshToken, token]) expect(text).not.toContain(s);
    expect(text).toContain(APP.appId); // redaction keeps what is not secret
  });
});
