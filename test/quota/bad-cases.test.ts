// The quota's bad cases: an unreadable quota falls back to the 45009 throttle; a quota that
// shrinks mid-day is seen at the next reading and pauses instead of answering 45009; the
// owner's own calls spending the quota behind mpsync's back give a 45009 despite the budget,
// which throttles as before, and the walk resumes from its checkpoint after the reset.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime.ts";
import type { Simulator } from "../../src/simulator/index.ts";
import { AccountThrottledError, QuotaPausedError } from "../../src/sync/errors.ts";
import { nextQuotaReset } from "../../src/sync/quota-reset.ts";
import type { Source } from "../../src/sync/types.ts";
import { QuotaExhaustedError } from "../../src/wechat/errors.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { APP_ID, expectedState, runtimeFor, simulator, storedState } from "../sync/harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const LIST = "/cgi-bin/freepublish/batchget";
const MATERIAL = "/cgi-bin/material/batchget_material";
let sim: Simulator;
let runtime: Runtime;
let clock = new Date("2026-11-23T02:00:00Z");

beforeEach(async () => {
  await runtime?.close();
  await sim?.close();
  sim = await simulator({ seed: { seed: 5, published: 200, maxNewsItems: 1, contentBytes: 40, materials: { image: 200, video: 0, voice: 0, news: 0 } } });
  runtime = runtimeFor(db, redis, sim, 2, { now: () => clock });
  // each case starts on a new quota day, with a clean account row
  clock = new Date(nextQuotaReset(clock).getTime() + 60_000);
  await db.sql.query("UPDATE accounts SET throttled_until = NULL");
});
afterAll(async () => {
  await runtime?.close();
  await sim?.close();
});

const run = (source: Source, mode: "full" | "incremental" = "full") => runtime.engine.run({ appId: APP_ID, source, mode, trigger: "schedule" });
// requests already in flight when the first 45009 comes back get one too: at most the
// account's concurrency (2 here); nothing is asked after it
const CONCURRENCY = 2;
const count45009 = (): number => Object.entries(sim.counters().errcodes).filter(([k]) => k.endsWith(" 45009")).reduce((n, [, v]) => n + v, 0);
const lastRun = async (source: string) =>
  (await db.sql.query<{ status: string; error_code: number | null; checkpoint: unknown; pages: number }>("SELECT status, error_code, checkpoint, pages FROM sync_runs WHERE source = $1 ORDER BY id DESC LIMIT 1", [source])).rows[0]!;

describe("quota bad cases", () => {
  it("an unreadable quota falls back to today's behaviour: 45009 throttles the account until the reset", async () => {
    sim.setDailyLimits({ [LIST]: 3 });
    sim.setFaults({ forceErrcode: 48001, endpoints: ["openapi/quota/get"] });
    await expect(run("published")).rejects.toBeInstanceOf(QuotaExhaustedError);
    expect(sim.quota().used[LIST]).toBe(3);
    const refused = count45009();
    expect(refused).toBeGreaterThanOrEqual(1);
    expect(refused).toBeLessThanOrEqual(CONCURRENCY);
    const view = await runtime.quota.view(APP_ID, LIST);
    expect(view).toMatchObject({ known: false, limit: null });
    expect(view.error).toMatch(/48001/);
    expect(await lastRun("published")).toMatchObject({ status: "failed", error_code: 45009 });
    const acc = await db.sql.query<{ throttled_until: Date }>("SELECT throttled_until FROM accounts");
    expect(acc.rows[0]!.throttled_until.getTime()).toBe(nextQuotaReset(clock).getTime());
    await expect(run("published")).rejects.toBeInstanceOf(AccountThrottledError);
    expect(count45009()).toBe(refused);
  });

  it("a quota that shrinks mid-day is seen at the next reading: the run pauses, no 45009", async () => {
    sim.setDailyLimits({ [MATERIAL]: 100 });
    await run("material:image");
    const used = sim.quota().used[MATERIAL]!;
    expect(used).toBeGreaterThanOrEqual(10);
    // WeChat lowers the limit: 3 calls left, 2 of them the reserve (10% of 14, rounded up)
    sim.setDailyLimits({ [MATERIAL]: used + 3 });
    await sim.addMaterial("image", 1);
    clock = new Date(clock.getTime() + 61 * 60_000); // past the refresh interval: the next run reads the quota again
    const e = await run("material:image").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(QuotaPausedError);
    expect(e).toMatchObject({ api: MATERIAL, limit: used + 3, reserve: 2 });
    expect(sim.quota().used[MATERIAL]).toBeLessThanOrEqual(used + 1);
    expect(count45009()).toBe(0);
    expect(await lastRun("material:image")).toMatchObject({ status: "paused" });
  });

  it("the owner's own calls spend the quota: a 45009 despite the budget throttles, and the walk resumes from its checkpoint after the reset", async () => {
    sim.setDailyLimits({ [LIST]: 25 });
    sim.onRequest((req) => {
      // the owner's other system spends 20 calls while mpsync is at its third page
      if (req.endpoint === LIST && req.callIndex === 2) sim.spendQuota(LIST, 20);
    });
    await expect(run("published")).rejects.toBeInstanceOf(QuotaExhaustedError);
    const refused = count45009();
    expect(refused).toBeGreaterThanOrEqual(1);
    expect(refused).toBeLessThanOrEqual(CONCURRENCY);
    const failed = await lastRun("published");
    expect(failed).toMatchObject({ status: "failed", error_code: 45009 });
    expect(failed.checkpoint).not.toBeNull();
    const pagesDay1 = failed.pages;
    expect(pagesDay1).toBeGreaterThan(0);
    // the budget now knows the day is spent
    expect(await runtime.quota.view(APP_ID, LIST)).toMatchObject({ known: true, remain: 0 });
    await expect(run("published")).rejects.toBeInstanceOf(AccountThrottledError);

    sim.onRequest(undefined);
    clock = new Date(nextQuotaReset(clock).getTime() + 60_000);
    sim.newQuotaDay();
    const r = await run("published");
    expect(r.status).toBe("succeeded");
    // resumed from the checkpoint: the second day walked only what the first did not
    expect(sim.quota().used[LIST]!).toBeLessThanOrEqual(10 - pagesDay1 + 2);
    expect(count45009()).toBe(refused);
    const got = await storedState(db.sql);
    const want = expectedState(sim).articles.sort((a, b) => (a.article_id < b.article_id ? -1 : 1));
    expect(got.articles).toEqual(want);
  });
});
