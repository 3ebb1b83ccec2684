// The quota through the CLI and the worker: `sync --inline` exits 75 with one line when the
// run pauses, re-reads the quota once when asked again, and resumes from the checkpoint when
// there is room; the worker's planner tick enqueues what is due, a paused run moves its
// target's due time to its resume time, and a reload adds accounts to the plan.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSyncWorker, type SyncWorker } from "../../jobs/worker.ts";
import { dueTimes, planKeys, planMember } from "../../src/planner/plan.ts";
import type { Runtime } from "../../src/runtime.ts";
import type { Simulator } from "../../src/simulator/index.ts";
import { SOURCES } from "../../src/sync/types.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { childEnv, runMpsync, until } from "../jobs/harness.ts";
import { accountConfig, APP_ID, expectedState, runtimeFor, simulator, storedState } from "../sync/harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const LIST = "/cgi-bin/freepublish/batchget";
const MATERIAL = "/cgi-bin/material/batchget_material";
let sim: Simulator;
let env: Record<string, string>;

beforeAll(async () => {
  sim = await simulator({ seed: { seed: 9, published: 100, maxNewsItems: 1, contentBytes: 40, materials: { image: 30, video: 0, voice: 0, news: 0 } } });
  env = childEnv(db, redis, sim);
});
afterAll(async () => {
  await sim?.close();
});

const quotaCalls = (): number => sim.counters().calls["/cgi-bin/openapi/quota/get"] ?? 0;

describe("sync --inline and the daily quota", () => {
  it("exits 75 with one line naming the API, its use against its limit and the resume time", async () => {
    sim.setDailyLimits({ [LIST]: 4 });
    const r = await runMpsync(["sync", "--inline", "--full", "--source", "published"], env);
    expect(r.code).toBe(75);
    const line = r.all.trim().split("\n").filter((l) => l.startsWith("mpsync:"));
    expect(line).toHaveLength(1);
    expect(line[0]).toMatch(/^mpsync: wxsimulator000001 published: paused by the daily quota of \/cgi-bin\/freepublish\/batchget \(used 3 of 4, reserve 1\); resumes at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(sim.quota().used[LIST]).toBe(3);
  });

  it("asked again, re-reads the quota once and says when it can resume", async () => {
    const before = quotaCalls();
    const r = await runMpsync(["sync", "--inline", "--full", "--source", "published"], env);
    expect(r.code).toBe(75);
    expect(quotaCalls() - before).toBe(1);
    expect(sim.quota().used[LIST]).toBe(3);
  });

  it("proceeds from the checkpoint once the quota has room (the owner's clear_quota)", async () => {
    sim.newQuotaDay();
    sim.setDailyLimits({ [LIST]: 100 });
    const r = await runMpsync(["sync", "--inline", "--full", "--source", "published"], env);
    expect(r.code).toBe(0);
    // 5 pages and the head re-read, 3 of them on the paused run: this run made the rest only
    expect(sim.quota().used[LIST]).toBeLessThanOrEqual(4);
    const runs = await db.sql.query<{ status: string }>("SELECT status FROM sync_runs WHERE source = 'published' ORDER BY id");
    expect(runs.rows.map((x) => x.status)).toEqual(["paused", "paused", "succeeded"]);
    const got = await storedState(db.sql);
    expect(got.articles).toEqual(expectedState(sim).articles.sort((a, b) => (a.article_id < b.article_id ? -1 : 1)));
  });
});

describe("the planner in a worker", () => {
  let runtime: Runtime;
  let worker: SyncWorker;
  let accounts = [accountConfig(2)];

  beforeAll(async () => {
    runtime = runtimeFor(db, redis, sim, 2);
    runtime.config.planner = { tickMs: 100, fullWindowMinutes: 120, quotaReservePercent: 10, quotaRefreshMinutes: 60, reloadMs: 60_000 };
    worker = await startSyncWorker(runtime, { loadAccounts: () => accounts });
  });
  afterAll(async () => {
    await worker?.shutdown(5_000);
    await runtime?.close();
  });

  it("plans every source of the account and enqueues a due one on the next tick", async () => {
    const members = SOURCES.flatMap((s) => [planMember(APP_ID, s, "incremental"), planMember(APP_ID, s, "full")]);
    expect((await dueTimes(redis.redis, redis.prefix, members)).every((t) => t !== null && t > Date.now() - 60_000)).toBe(true);
    await redis.redis.zadd(planKeys(redis.prefix).due, "XX", Date.now(), planMember(APP_ID, "material:image", "incremental"));
    const row = await until(async () => (await db.sql.query<{ trigger: string; status: string }>("SELECT trigger, status FROM sync_runs WHERE source = 'material:image' AND status = 'succeeded'")).rows[0], 20_000, "the scheduled run");
    expect(row.trigger).toBe("schedule");
    // moved to its next slot, not due again
    expect((await dueTimes(redis.redis, redis.prefix, [planMember(APP_ID, "material:image", "incremental")]))[0]).toBeGreaterThan(Date.now());
  });

  it("a full run paused by the quota moves its due time to the resume time", async () => {
    sim.setDailyLimits({ [MATERIAL]: (sim.quota().used[MATERIAL] ?? 0) + 2 });
    await runtime.quota.prepare(APP_ID, "material:image", { force: true });
    await redis.redis.zadd(planKeys(redis.prefix).due, "XX", Date.now(), planMember(APP_ID, "material:image", "full"));
    const paused = await until(
      async () => (await db.sql.query<{ resume_at: Date }>("SELECT resume_at FROM sync_runs WHERE source = 'material:image' AND status = 'paused'")).rows[0],
      20_000,
      "the paused run",
    );
    await until(async () => ((await dueTimes(redis.redis, redis.prefix, [planMember(APP_ID, "material:image", "full")]))[0] === paused.resume_at.getTime() ? true : null), 5_000, "the due time to move");
  });

  it("a queued run that pauses for the quota makes sync --wait exit 75 with its reason", async () => {
    const r = await runMpsync(["sync", "--wait", "--full", "--source", "material:image"], env);
    expect(r.code).toBe(75);
    expect(r.all).toMatch(/mpsync: wxsimulator000001 material:image: daily quota of \/cgi-bin\/material\/batchget_material used \d+\/\d+ \(reserve \d+\); paused until /);
  });

  it("accounts added to the configuration are planned on reload", async () => {
    accounts = [accountConfig(2), { ...accountConfig(2), appId: "wxsecondaccount01" }];
    expect(await worker.reload()).toEqual({ changed: true });
    expect(await redis.redis.zcard(planKeys(redis.prefix).due)).toBe(2 * 2 * SOURCES.length);
    expect(runtime.config.accounts.map((a) => a.appId)).toEqual([APP_ID, "wxsecondaccount01"]);
    expect(await worker.reload()).toEqual({ changed: false });
    accounts = [accountConfig(2)];
    await worker.reload();
    expect(await redis.redis.zcard(planKeys(redis.prefix).due)).toBe(2 * SOURCES.length);
  });
});
