// The quota target of issue 12: with a published-list quota of 25 calls a day, a full sync
// of a 60-page list pauses at its checkpoint each day its budget is spent and resumes after
// the reset, finishing over 3 quota days with no 45009, at most 25 calls a day, a few calls
// more than the page minimum in total, and an exact copy at the end.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime.ts";
import type { Simulator } from "../../src/simulator/index.ts";
import { QuotaPausedError } from "../../src/sync/errors.ts";
import { nextQuotaReset } from "../../src/sync/quota-reset.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { APP_ID, expectedState, runtimeFor, simulator, storedState } from "../sync/harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const LIST = "/cgi-bin/freepublish/batchget";
let sim: Simulator;
let runtime: Runtime;
// the quota day is the clock's: a test day starts with the simulator's new quota day
let clock = new Date("2026-11-23T02:00:00Z");

beforeAll(async () => {
  sim = await simulator({
    seed: { seed: 12, published: 1_200, maxNewsItems: 2, contentBytes: 60, materials: { image: 0, video: 0, voice: 0, news: 0 } },
    dailyLimits: { [LIST]: 25 },
  });
  runtime = runtimeFor(db, redis, sim, 4, { now: () => clock });
});
afterAll(async () => {
  await runtime?.close();
  await sim?.close();
});

const errcodes45009 = (): number => Object.entries(sim.counters().errcodes).filter(([k]) => k.endsWith(" 45009")).reduce((n, [, v]) => n + v, 0);

describe("a 60-page full walk on a 25-calls-a-day quota", () => {
  it("pauses at its checkpoint, resumes after each reset, and completes exact on day 3", async () => {
    const perDay: number[] = [];
    const outcomes: string[] = [];
    let total = 0;
    for (let day = 1; day <= 5; day++) {
      const r = await runtime.engine.run({ appId: APP_ID, source: "published", mode: "full", trigger: "schedule" }).then(
        () => "succeeded",
        (e: unknown) => {
          if (!(e instanceof QuotaPausedError)) throw e;
          expect(e.resumeAt.getTime()).toBeGreaterThanOrEqual(nextQuotaReset(clock).getTime());
          expect(e).toMatchObject({ api: LIST, limit: 25, reserve: 3 });
          return "paused";
        },
      );
      outcomes.push(r);
      const used = sim.quota().used[LIST] ?? 0;
      perDay.push(used);
      total += used;
      if (r === "succeeded") break;
      // the next quota day
      clock = new Date(nextQuotaReset(clock).getTime() + 60_000);
      sim.newQuotaDay();
    }
    expect(outcomes).toEqual(["paused", "paused", "succeeded"]);
    for (const n of perDay) expect(n).toBeLessThanOrEqual(25);
    expect(errcodes45009()).toBe(0);
    // 60 pages, one head re-read; nothing walked twice
    expect(total).toBeGreaterThanOrEqual(60);
    expect(total).toBeLessThanOrEqual(63);

    const runs = await db.sql.query<{ status: string; resume_at: Date | null; paused_reason: string | null; checkpoint: unknown }>(
      "SELECT status, resume_at, paused_reason, checkpoint FROM sync_runs ORDER BY id",
    );
    expect(runs.rows.map((r) => r.status)).toEqual(["paused", "paused", "succeeded"]);
    expect(runs.rows[0]!.paused_reason).toMatch(/daily quota of \/cgi-bin\/freepublish\/batchget: used 22 of 25, reserve 3/);
    expect(runs.rows.every((r) => r.checkpoint === null)).toBe(true);
    const want = expectedState(sim);
    const got = await storedState(db.sql);
    expect(got.articles).toEqual(want.articles.sort((a, b) => (a.article_id < b.article_id ? -1 : 1)));
  });
});
