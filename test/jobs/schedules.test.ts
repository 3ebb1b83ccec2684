// Schedulers follow the configuration: per-account intervals and cron, updated in place,
// removed for accounts no longer configured or with schedules disabled.
import { describe, expect, it } from "vitest";
import { syncSchedules, schedulerId } from "../../jobs/schedules.ts";
import type { AccountConfig } from "../../src/config/config.ts";
import { SOURCES } from "../../src/sync/types.ts";
import { createTestRedis } from "../helpers/db.ts";
import { testQueue } from "./harness.ts";

const redis = createTestRedis();
const queue = testQueue(redis.url, redis.prefix);

const account = (appId: string, schedule: Partial<AccountConfig["schedule"]> = {}): AccountConfig => ({
  appId,
  appSecret: "not-used-here",
  tokenKind: "stable",
  concurrency: 2,
  schedule: { incrementalEveryMinutes: 15, fullCron: "0 3 * * *", enabled: true, ...schedule },
});

const keys = async (): Promise<string[]> => (await queue.getJobSchedulers(0, -1)).map((s) => s.key).sort();
const idsOf = (appId: string): string[] => SOURCES.flatMap((s) => [schedulerId(appId, s, "incremental"), schedulerId(appId, s, "full")]);

describe("syncSchedules", () => {
  it("creates an incremental and a full scheduler per account and source, with the account's settings", async () => {
    await syncSchedules(queue, [account("wxa", { incrementalEveryMinutes: 5, fullCron: "30 2 * * 0" }), account("wxb")]);
    expect(await keys()).toEqual([...idsOf("wxa"), ...idsOf("wxb")].sort());
    const inc = await queue.getJobScheduler(schedulerId("wxa", "published", "incremental"));
    expect(inc).toMatchObject({ every: 300_000, template: { data: { appId: "wxa", source: "published", mode: "incremental" } } });
    const full = await queue.getJobScheduler(schedulerId("wxa", "material:news", "full"));
    expect(full).toMatchObject({ pattern: "30 2 * * 0", tz: "UTC", template: { data: { appId: "wxa", source: "material:news", mode: "full" } } });
  });

  it("is idempotent and updates changed settings in place", async () => {
    const again = await syncSchedules(queue, [account("wxa", { incrementalEveryMinutes: 5, fullCron: "30 2 * * 0" }), account("wxb")]);
    expect(again.removed).toEqual([]);
    expect(await keys()).toHaveLength(20);
    await syncSchedules(queue, [account("wxa", { incrementalEveryMinutes: 7, fullCron: "30 2 * * 0" }), account("wxb")]);
    expect(await queue.getJobScheduler(schedulerId("wxa", "published", "incremental"))).toMatchObject({ every: 420_000 });
    expect(await keys()).toHaveLength(20);
    // still exactly one upcoming job per scheduler
    const ticks = (await queue.getJobs(["delayed", "waiting"])).filter((j) => j.name === "schedule-tick");
    expect(ticks.map((j) => j.repeatJobKey).sort()).toEqual(await keys());
  });

  it("removes the schedulers of accounts removed from the config or with schedules disabled", async () => {
    const r = await syncSchedules(queue, [account("wxa", { enabled: false })]);
    expect(r.removed.sort()).toEqual([...idsOf("wxa"), ...idsOf("wxb")].sort());
    expect(await keys()).toEqual([]);
    await syncSchedules(queue, [account("wxc")]);
    expect(await keys()).toEqual(idsOf("wxc").sort());
  });
});
