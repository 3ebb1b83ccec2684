// The incremental interval in effect: the configured one while the day's known budget
// affords it, else stretched evenly over what is left of the quota day; and the tick that
// moves a due incremental run by it, on the target's own slot.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { incrementalCadence } from "../../src/planner/cadence.ts";
import { nextIncrementalDue } from "../../src/planner/offsets.ts";
import { dueTimes, planKeys, planMember, reconcilePlan } from "../../src/planner/plan.ts";
import { planTick } from "../../src/planner/tick.ts";
import type { Runtime } from "../../src/runtime.ts";
import type { Simulator } from "../../src/simulator/index.ts";
import type { QuotaView } from "../../src/sync/quota-gate.ts";
import { nextQuotaReset } from "../../src/sync/quota-reset.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { APP_ID, runtimeFor, simulator } from "../sync/harness.ts";

// 00:01 Asia/Shanghai: 1439 minutes left in the quota day
const DAY_START = Date.parse("2026-11-23T16:01:00Z");
const view = (limit: number, used: number, reserve: number): QuotaView => ({ api: "/x", known: true, limit, used, remain: limit - used, reserve, readAt: new Date(DAY_START), error: null });

describe("incrementalCadence", () => {
  it("keeps the configured interval while the budget affords it", () => {
    const c = incrementalCadence({ configuredMinutes: 15, view: view(1_000, 0, 100), sourcesOnApi: 1, fullNeed: 0, nowMs: DAY_START });
    expect(c).toMatchObject({ minutes: 15, configuredMinutes: 15 });
    expect(c.reason).toMatch(/^configured: 900 calls left/);
  });

  it("stretches evenly over the rest of the day when it does not (100 a day: 96 wanted, 90 after the reserve)", () => {
    const c = incrementalCadence({ configuredMinutes: 15, view: view(100, 0, 10), sourcesOnApi: 1, fullNeed: 0, nowMs: DAY_START });
    expect(c.minutes).toBe(Math.ceil(1439 / 90));
    expect(c.reason).toMatch(/^stretched: 90 calls left today for 1 source\(s\) over 1439 min/);
  });

  it("counts the full walks planned before the reset and the sources sharing the API", () => {
    const c = incrementalCadence({ configuredMinutes: 15, view: view(1_000, 0, 100), sourcesOnApi: 4, fullNeed: 600, nowMs: DAY_START });
    expect(c.minutes).toBe(Math.ceil((1439 * 4) / 300));
  });

  it("waits for the reset when nothing is left, and keeps the configured interval when the quota is unknown", () => {
    expect(incrementalCadence({ configuredMinutes: 15, view: view(100, 91, 10), sourcesOnApi: 1, fullNeed: 0, nowMs: DAY_START }).minutes).toBe(1439);
    const unknown = incrementalCadence({ configuredMinutes: 15, view: { ...view(0, 0, 0), known: false, limit: null, used: null, remain: null, reserve: null, error: "errcode 48001" }, sourcesOnApi: 1, fullNeed: 0, nowMs: DAY_START });
    expect(unknown).toMatchObject({ minutes: 15, reason: "configured (quota unreadable: errcode 48001)" });
  });
});

const db = await createTestDatabase();
const redis = createTestRedis();

describe("a tick with a small quota", () => {
  let sim: Simulator;
  let runtime: Runtime;
  beforeAll(async () => {
    sim = await simulator({ dailyLimits: { "/cgi-bin/freepublish/batchget": 10 } });
    // the owner has spent all but the reserve: nothing is left for mpsync today
    sim.spendQuota("/cgi-bin/freepublish/batchget", 9);
    runtime = runtimeFor(db, redis, sim, 2);
  });
  afterAll(async () => {
    await runtime?.close();
    await sim?.close();
  });

  it("moves a due incremental run past the quota reset when nothing is left, on its own slot", async () => {
    const now = Date.now();
    await reconcilePlan(redis.redis, redis.prefix, runtime.config.accounts, 120, now);
    await runtime.quota.prepare(APP_ID, "published", { force: true });
    const m = planMember(APP_ID, "published", "incremental");
    await redis.redis.zadd(planKeys(redis.prefix).due, "XX", now, m);
    const asked: string[] = [];
    const r = await planTick(
      { redis: redis.redis, prefix: redis.prefix, accounts: runtime.config.accounts, fullWindowMinutes: 120, quota: runtime.quota, enqueue: async (t) => void asked.push(`${t.source} ${t.mode}`) },
      now,
    );
    expect(r.enqueued).toBe(1);
    expect(asked).toEqual(["published incremental"]);
    const [next] = await dueTimes(redis.redis, redis.prefix, [m]);
    expect(next!).toBeGreaterThanOrEqual(nextQuotaReset(new Date(now)).getTime() - 60_000);
    expect((next! - nextIncrementalDue(APP_ID, "published", 15, now)) % (15 * 60_000)).toBe(0);
  });
});
