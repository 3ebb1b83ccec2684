// Per-API daily quotas over real HTTP: 45009 once an API's limit is spent (other APIs go
// on), openapi/quota/get reports limit, used and remain per API, the owner's calls count,
// clear_quota resets 10 times a month (48006 beyond), and a new quota day starts at 0.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/simulator/index.ts";
import { APP, call, legacyToken, materials, published } from "./http.ts";

const LIST = "/cgi-bin/freepublish/batchget";
const MATERIAL = "/cgi-bin/material/batchget_material";
let sim: Simulator;
let token: string;
beforeAll(async () => {
  sim = await startSimulator({ apps: [APP], seed: { seed: 5, published: 30, maxNewsItems: 1, contentBytes: 50, materials: { image: 4 } }, dailyLimits: { [LIST]: 3 } });
  token = await legacyToken(sim);
});
afterAll(async () => {
  await sim?.close();
});

const quota = async (cgiPath: string) => (await call(sim, "/cgi-bin/openapi/quota/get", { query: { access_token: token }, body: { cgi_path: cgiPath } })).json;
const errcodeOf = async () => (await published(sim, token, { offset: 0, count: 1 })).json.errcode ?? 0;

describe("daily quotas", () => {
  it("answers 45009 once an API's limit is spent, and reports it in openapi/quota/get", async () => {
    expect([await errcodeOf(), await errcodeOf(), await errcodeOf(), await errcodeOf()]).toEqual([0, 0, 0, 45009]);
    expect(await quota(LIST)).toMatchObject({ errcode: 0, quota: { daily_limit: 3, used: 3, remain: 0 } });
    // another API has its own quota
    expect((await materials(sim, token, { type: "image", offset: 0, count: 1 })).json.errcode).toBeUndefined();
    expect((await quota(MATERIAL)).quota).toMatchObject({ used: 1 });
  });

  it("counts the owner's calls, lowers and raises limits without forgetting the day's use, and starts a new day at 0", async () => {
    sim.newQuotaDay();
    sim.setDailyLimits({ [LIST]: 10 });
    sim.spendQuota(LIST, 8);
    expect((await quota(LIST)).quota).toEqual({ daily_limit: 10, used: 8, remain: 2 });
    sim.setDailyLimits({ [LIST]: 9 });
    expect(await errcodeOf()).toBe(0);
    expect(await errcodeOf()).toBe(45009);
    sim.newQuotaDay();
    expect((await quota(LIST)).quota).toEqual({ daily_limit: 9, used: 0, remain: 9 });
  });

  it("clear_quota resets every API's use, at most 10 times a month", async () => {
    sim.spendQuota(LIST, 9);
    expect(await errcodeOf()).toBe(45009);
    const clear = () => call(sim, "/cgi-bin/clear_quota", { query: { access_token: token }, body: { appid: APP.appId } });
    expect((await clear()).json).toMatchObject({ errcode: 0 });
    expect(await errcodeOf()).toBe(0);
    for (let i = 1; i < 10; i++) expect((await clear()).json.errcode).toBe(0);
    expect((await clear()).json.errcode).toBe(48006);
    expect(sim.quota().clears).toBe(10);
  });

  it("is driven over the control API too", async () => {
    await call(sim, "/__sim/quota/limits", { body: { [LIST]: 50 } });
    await call(sim, "/__sim/quota/spend", { body: { cgi_path: LIST, calls: 5 } });
    expect((await call(sim, "/__sim/quota")).json).toMatchObject({ limits: { [LIST]: 50 } });
    expect((await call(sim, "/__sim/quota/new-day", { body: {} })).json.used).toEqual({});
  });
});
