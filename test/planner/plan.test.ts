// The plan: every (account, source, mode) due once, at a stable spread time; replicas and
// restarts change nothing; configuration changes re-plan; one tick claims each due time;
// the per-account Job Schedulers of earlier versions are removed at start.
import { describe, expect, it } from "vitest";
import { PLANNER_TICK_ID, startPlanner } from "../../jobs/planner.ts";
import type { AccountConfig, AppConfig } from "../../src/config/config.ts";
import { nextFullDue, nextIncrementalDue } from "../../src/planner/offsets.ts";
import { advance, dueEntries, dueTimes, planKeys, planMember, reconcilePlan } from "../../src/planner/plan.ts";
import { SOURCES } from "../../src/sync/types.ts";
import { createTestRedis } from "../helpers/db.ts";
import { testQueue } from "../jobs/harness.ts";

const redis = createTestRedis();
const queue = testQueue(redis.url, redis.prefix);
const WINDOW = 120;
const NOW = Date.parse("2026-11-23T10:00:00Z");

const account = (appId: string, schedule: Partial<AccountConfig["schedule"]> = {}): AccountConfig => ({
  appId,
  appSecret: "not-used-here",
  tokenKind: "stable",
  concurrency: 2,
  schedule: { incrementalEveryMinutes: 15, fullCron: "0 3 * * *", enabled: true, ...schedule },
});
const membersOf = (appId: string): string[] => SOURCES.flatMap((s) => [planMember(appId, s, "incremental"), planMember(appId, s, "full")]);
const config = (accounts: AccountConfig[]): AppConfig =>
  ({ redisPrefix: redis.prefix, accounts, planner: { tickMs: 60_000, fullWindowMinutes: WINDOW, quotaReservePercent: 10, quotaRefreshMinutes: 60, reloadMs: 30_000 } }) as AppConfig;
const all = async (): Promise<Map<string, number>> => {
  const raw = await redis.redis.zrange(planKeys(redis.prefix).due, 0, -1, "WITHSCORES");
  const m = new Map<string, number>();
  for (let i = 0; i < raw.length; i += 2) m.set(raw[i]!, Number(raw[i + 1]));
  return m;
};

describe("due times", () => {
  it("are inside the interval after now, stable per (app id, source), and differ between targets", () => {
    const a = nextIncrementalDue("wxa", "published", 15, NOW);
    expect(a).toBeGreaterThan(NOW);
    expect(a).toBeLessThanOrEqual(NOW + 15 * 60_000);
    // a minute later the same slot is still the next one (unless it passed)
    const later = nextIncrementalDue("wxa", "published", 15, NOW + 1);
    expect(later).toBe(a);
    expect(nextIncrementalDue("wxa", "published", 15, a)).toBe(a + 15 * 60_000);
    expect(new Set(SOURCES.map((s) => nextIncrementalDue("wxa", s, 15, NOW))).size).toBe(SOURCES.length);
  });

  it("full runs fall inside the window after the cron time, and 1,000 accounts spread over it", () => {
    const times = Array.from({ length: 1_000 }, (_, i) => nextFullDue(`wx${i}`, "published", "0 3 * * *", WINDOW, NOW));
    const start = Date.parse("2026-11-24T03:00:00Z");
    for (const t of times) expect(t - start).toBeGreaterThanOrEqual(0), expect(t - start).toBeLessThan(WINDOW * 60_000);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(30 * 60_000);
    // a time inside today's window that has not passed yet is still today's
    const inside = Date.parse("2026-11-23T03:00:00Z") + 1_000;
    const t = nextFullDue("wx1", "published", "0 3 * * *", WINDOW, inside);
    expect(t === nextFullDue("wx1", "published", "0 3 * * *", WINDOW, NOW) - 86_400_000 || t > NOW).toBe(true);
  });

  it("incremental runs of 2,000 accounts: no minute holds more than twice the average", () => {
    const perMinute = new Map<number, number>();
    for (let i = 0; i < 2_000; i++) for (const s of SOURCES) {
      // minute within the 15-minute cycle
      const m = Math.floor((nextIncrementalDue(`wx${i}`, s, 15, NOW) % 900_000) / 60_000);
      perMinute.set(m, (perMinute.get(m) ?? 0) + 1);
    }
    const avg = (2_000 * SOURCES.length) / 15;
    expect(perMinute.size).toBe(15);
    expect(Math.max(...perMinute.values())).toBeLessThanOrEqual(2 * avg);
  });
});

describe("reconcilePlan and startPlanner", () => {
  it("removes the per-account schedulers of earlier versions and keeps one tick", async () => {
    await queue.upsertJobScheduler("wxa|published|incremental", { every: 900_000 }, { name: "schedule-tick", data: { appId: "wxa", source: "published", mode: "incremental" } });
    await queue.upsertJobScheduler("wxa|published|full", { pattern: "0 3 * * *", tz: "UTC" }, { name: "schedule-tick", data: { appId: "wxa", source: "published", mode: "full" } });
    const r = await startPlanner(queue, redis.redis, config([account("wxa"), account("wxb")]), NOW);
    expect(r.removedSchedulers.sort()).toEqual(["wxa|published|full", "wxa|published|incremental"]);
    expect((await queue.getJobSchedulers(0, -1)).map((s) => s.key)).toEqual([PLANNER_TICK_ID]);
    expect(r.reconciled).toMatchObject({ changed: true, added: 2 });
    const plan = await all();
    expect([...plan.keys()].sort()).toEqual([...membersOf("wxa"), ...membersOf("wxb")].sort());
    expect(plan.get(planMember("wxa", "published", "incremental"))).toBe(nextIncrementalDue("wxa", "published", 15, NOW));
  });

  it("a second start (another replica, a restart, later) changes no due time and does no work", async () => {
    const before = await all();
    const r = await startPlanner(queue, redis.redis, config([account("wxb"), account("wxa")]), NOW + 3_600_000);
    expect(r.reconciled.changed).toBe(false);
    expect(r.removedSchedulers).toEqual([]);
    expect(await all()).toEqual(before);
  });

  it("a changed schedule re-plans that account only; new accounts are added; removed and disabled ones leave", async () => {
    const before = await all();
    const later = NOW + 60_000;
    const r = await reconcilePlan(redis.redis, redis.prefix, [account("wxa", { incrementalEveryMinutes: 5 }), account("wxb", { enabled: false }), account("wxc")], WINDOW, later);
    expect(r).toEqual({ changed: true, added: 1, replanned: 1, removed: 1 });
    const plan = await all();
    expect([...plan.keys()].sort()).toEqual([...membersOf("wxa"), ...membersOf("wxc")].sort());
    expect(plan.get(planMember("wxa", "published", "incremental"))).toBe(nextIncrementalDue("wxa", "published", 5, later));
    expect(plan.get(planMember("wxa", "published", "full"))).toBe(before.get(planMember("wxa", "published", "full")));
  });

  it("replicas racing for the same due entries: each due time is claimed exactly once", async () => {
    const m = planMember("wxc", "published", "incremental");
    await redis.redis.zadd(planKeys(redis.prefix).due, "XX", NOW, m);
    const due = (await dueEntries(redis.redis, redis.prefix, NOW, 100)).filter((e) => e.member === m);
    expect(due).toEqual([{ member: m, due: NOW }]);
    const moves = due.map((e) => ({ ...e, next: NOW + 900_000 }));
    const [a, b] = await Promise.all([advance(redis.redis, redis.prefix, moves), advance(redis.redis, redis.prefix, moves)]);
    expect([a![0], b![0]].filter(Boolean)).toHaveLength(1);
    expect(await dueTimes(redis.redis, redis.prefix, [m])).toEqual([NOW + 900_000]);
  });
});
