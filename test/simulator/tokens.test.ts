// Token semantics: legacy tokens superseded after a grace period, stable tokens shared,
// third-party refresh tokens rotating, expiry, and the errcodes of each failure.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import { startSimulator, type Simulator } from "../../src/simulator/index.ts";
import { APP, call, legacyToken } from "./http.ts";

const COMPONENT = {
  appId: "wxsimcomponent001",
  secret: "component-secret-9",
  verifyTicket: "ticket@@@abc",
  authorizers: [{ appId: "wxsimauthorizer01", refreshToken: "refreshtoken@@@first" }],
};
const SEED = { seed: 3, published: 5, materials: { image: 2 } };

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ apps: [APP], component: COMPONENT, seed: SEED, legacyGraceSeconds: 1 });
});
afterAll(async () => {
  await sim?.close();
});

const count = (s: Simulator, token: string) => call(s, "/cgi-bin/material/get_materialcount", { query: { access_token: token } });
const stable = (s: Simulator, extra: Record<string, unknown> = {}) =>
  call(s, "/cgi-bin/stable_token", { body: { grant_type: "client_credential", appid: APP.appId, secret: APP.secret, ...extra } });

function expectError(r: { status: number; json: any }, errcode: number): void {
  expect(r.status).toBe(200);
  expect(r.json.errcode).toBe(errcode);
  expect(r.json.errmsg).toMatch(/ rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/);
}

describe("/cgi-bin/token", () => {
  it("issues a new token on every call; the previous one works only during the grace period", async () => {
    const first = await legacyToken(sim);
    expect((await count(sim, first)).json.image_count).toBe(2);
    const second = await legacyToken(sim);
    expect(second).not.toBe(first);
    expect((await count(sim, first)).json.image_count).toBe(2); // within the 1 s grace
    await sleep(1100);
    expectError(await count(sim, first), 40001);
    expect((await count(sim, second)).json.image_count).toBe(2);
  });

  it("with no grace the previous token dies at once", async () => {
    const s = await startSimulator({ apps: [APP], seed: SEED, legacyGraceSeconds: 0 });
    try {
      const a = await legacyToken(s);
      const b = await legacyToken(s);
      expectError(await count(s, a), 40001);
      expect((await count(s, b)).json.image_count).toBe(2);
    } finally {
      await s.close();
    }
  });

  it("answers expires_in from tokenTtlSeconds and 42001 once a token expired", async () => {
    const s = await startSimulator({ apps: [APP], seed: SEED, tokenTtlSeconds: 1 });
    try {
      const r = await call(s, "/cgi-bin/token", { query: { grant_type: "client_credential", appid: APP.appId, secret: APP.secret } });
      expect(r.json).toEqual({ access_token: expect.any(String), expires_in: 1 });
      expect((await count(s, r.json.access_token)).json.image_count).toBe(2);
      await sleep(1050);
      expectError(await count(s, r.json.access_token), 42001);
    } finally {
      await s.close();
    }
  });

  it("refuses a wrong appid (40013), a wrong secret (40125), missing ones and a bad grant_type", async () => {
    const q = { grant_type: "client_credential", appid: APP.appId, secret: APP.secret };
    expectError(await call(sim, "/cgi-bin/token", { query: { ...q, appid: "wxnotthere" } }), 40013);
    expectError(await call(sim, "/cgi-bin/token", { query: { ...q, secret: "wrong" } }), 40125);
    expectError(await call(sim, "/cgi-bin/token", { query: { grant_type: "client_credential", secret: APP.secret } }), 41002);
    expectError(await call(sim, "/cgi-bin/token", { query: { grant_type: "client_credential", appid: APP.appId } }), 41004);
    expectError(await call(sim, "/cgi-bin/token", { query: { ...q, grant_type: "password" } }), 40002);
  });
});

describe("token checks on the API calls", () => {
  it("missing token 41001, unknown token 40001, expireTokens() 42001", async () => {
    expectError(await call(sim, "/cgi-bin/material/get_materialcount"), 41001);
    expectError(await count(sim, "not-a-token"), 40001);
    const t = await legacyToken(sim);
    const st = (await stable(sim)).json.access_token as string;
    sim.expireTokens();
    expectError(await count(sim, t), 42001);
    expectError(await count(sim, st), 42001);
    expectError(await call(sim, "/cgi-bin/freepublish/batchget", { query: { access_token: t }, body: { offset: 0, count: 1 } }), 42001);
    // a fresh token works again, and the stable endpoint no longer hands out the expired one
    expect((await count(sim, await legacyToken(sim))).json.image_count).toBe(2);
    const st2 = (await stable(sim)).json.access_token as string;
    expect(st2).not.toBe(st);
    expect((await count(sim, st2)).json.image_count).toBe(2);
  });

  it("a POST endpoint called with GET answers 43002", async () => {
    const t = await legacyToken(sim);
    expectError(await call(sim, "/cgi-bin/freepublish/batchget", { query: { access_token: t }, method: "GET" }), 43002);
  });
});

describe("/cgi-bin/stable_token", () => {
  it("hands every caller the same token with its remaining lifetime, independent of /cgi-bin/token", async () => {
    const s = await startSimulator({ apps: [APP], seed: SEED, legacyGraceSeconds: 0 });
    try {
      const a = await stable(s);
      expect(a.json).toEqual({ access_token: expect.any(String), expires_in: 7200 });
      await sleep(1100);
      const b = await stable(s);
      expect(b.json.access_token).toBe(a.json.access_token);
      expect(b.json.expires_in).toBeLessThan(7200);
      expect(b.json.expires_in).toBeGreaterThan(7000);
      // legacy tokens come and go without touching the stable one
      await legacyToken(s);
      await legacyToken(s);
      expect((await count(s, a.json.access_token)).json.image_count).toBe(2);
      expect((await stable(s)).json.access_token).toBe(a.json.access_token);
    } finally {
      await s.close();
    }
  });

  it("force_refresh issues a new token; the old one lasts only the grace period", async () => {
    const a = (await stable(sim)).json.access_token as string;
    const b = await stable(sim, { force_refresh: true });
    expect(b.json.access_token).not.toBe(a);
    expect(b.json.expires_in).toBe(7200);
    expect((await stable(sim)).json.access_token).toBe(b.json.access_token);
    await sleep(1100);
    expectError(await count(sim, a), 40001);
    expect((await count(sim, b.json.access_token)).json.image_count).toBe(2);
  });

  it("refuses bad credentials like /cgi-bin/token", async () => {
    expectError(await stable(sim, { secret: "nope" }), 40125);
    expectError(await stable(sim, { appid: "wxother" }), 40013);
    expectError(await call(sim, "/cgi-bin/stable_token", { body: "not json" }), 47001);
  });
});

describe("third-party platform", () => {
  const componentBody = { component_appid: COMPONENT.appId, component_appsecret: COMPONENT.secret, component_verify_ticket: COMPONENT.verifyTicket };

  async function componentToken(): Promise<string> {
    const r = await call(sim, "/cgi-bin/component/api_component_token", { body: componentBody });
    expect(r.json).toEqual({ component_access_token: expect.any(String), expires_in: 7200 });
    return r.json.component_access_token;
  }

  const authorizer = (ct: string, refresh: string) =>
    call(sim, "/cgi-bin/component/api_authorizer_token", {
      query: { component_access_token: ct },
      body: { component_appid: COMPONENT.appId, authorizer_appid: COMPONENT.authorizers[0]!.appId, authorizer_refresh_token: refresh },
    });

  it("rotates the refresh token on every call; the old one answers 61023", async () => {
    const ct = await componentToken();
    const first = await authorizer(ct, COMPONENT.authorizers[0]!.refreshToken);
    expect(first.json).toEqual({ authorizer_access_token: expect.any(String), expires_in: 7200, authorizer_refresh_token: expect.any(String) });
    expect(first.json.authorizer_refresh_token).not.toBe(COMPONENT.authorizers[0]!.refreshToken);
    expect(sim.authorizerRefreshToken(COMPONENT.authorizers[0]!.appId)).toBe(first.json.authorizer_refresh_token);

    // the authorizer token reads that account's lists
    const page = await call(sim, "/cgi-bin/freepublish/batchget", { query: { access_token: first.json.authorizer_access_token }, body: { offset: 0, count: 2 } });
    expect(page.json.item_count).toBe(2);

    expectError(await authorizer(ct, COMPONENT.authorizers[0]!.refreshToken), 61023);
    const second = await authorizer(ct, first.json.authorizer_refresh_token);
    expect(second.json.authorizer_refresh_token).not.toBe(first.json.authorizer_refresh_token);
    expectError(await authorizer(ct, first.json.authorizer_refresh_token), 61023);
  });

  it("checks the component credentials and token", async () => {
    expectError(await call(sim, "/cgi-bin/component/api_component_token", { body: { ...componentBody, component_appsecret: "x" } }), 40125);
    expectError(await call(sim, "/cgi-bin/component/api_component_token", { body: { ...componentBody, component_verify_ticket: "x" } }), 61006);
    expectError(await authorizer("bogus", "whatever"), 40001);
    // a component token is not an access token for the lists
    const ct = await componentToken();
    expectError(await count(sim, ct), 40001);
  });
});
