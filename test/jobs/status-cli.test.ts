// mpsync status and mpsync accounts against real data: last runs, next schedules, throttling
// and health, never a secret.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSyncQueue } from "../../jobs/queue.ts";
import { startPlanner } from "../../jobs/planner.ts";
import { createRedis } from "../../src/redis/connection.ts";
import type { Runtime } from "../../src/runtime.ts";
import { SOURCES } from "../../src/sync/types.ts";
import { SIM_DEFAULT_APP, type Simulator } from "../../src/simulator/index.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { runtimeFor, simulator } from "../sync/harness.ts";
import { checkedAccountJson, runMpsync, childEnv } from "./harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const APP = SIM_DEFAULT_APP.appId;
let sim: Simulator;
let runtime: Runtime;
let env: Record<string, string>;

beforeAll(async () => {
  sim = await simulator();
  runtime = runtimeFor(db, redis, sim);
  await runtime.engine.run({ appId: APP, source: "material:voice", mode: "full", trigger: "manual" });
  const connection = createRedis(redis.url);
  const queue = createSyncQueue(connection, redis.prefix);
  await startPlanner(queue, runtime.redis, runtime.config);
  await queue.close();
  connection.disconnect();
  env = childEnv(db, redis, sim);
});

afterAll(async () => {
  await runtime?.close();
  await sim?.close();
});

describe("status and accounts", () => {
  it("status --json shows per source the last run, its counters and the next scheduled runs", async () => {
    const r = await runMpsync(["status", "--json"], env);
    expect(r.code).toBe(0);
    const { targets } = JSON.parse(r.stdout) as { targets: Record<string, any>[] };
    expect(targets.map((t) => t.source)).toEqual([...SOURCES]);
    const voice = targets.find((t) => t.source === "material:voice")!;
    expect(voice.last_run).toMatchObject({ mode: "full", status: "succeeded", items_seen: 7, inserted: 7 });
    // the first incremental is due at once (no worker has taken it here)
    expect(Number.isFinite(Date.parse(voice.next_incremental_at))).toBe(true);
    // the full run falls in the daily window after fullCron (03:00 UTC), at the target's own offset
    const full = new Date(voice.next_full_at);
    expect(full.getUTCHours() * 60 + full.getUTCMinutes()).toBeGreaterThanOrEqual(180);
    expect(full.getUTCHours() * 60 + full.getUTCMinutes()).toBeLessThan(180 + 120);
    expect(targets.find((t) => t.source === "published")!.last_run).toBeNull();
    expect(r.all).not.toContain(SIM_DEFAULT_APP.secret);
    // per account and API: the quota as last read (the engine read it before its run) and the interval in effect
    const { quotas } = JSON.parse(r.stdout) as { quotas: Record<string, any>[] };
    expect(quotas.map((q) => q.api)).toEqual(["/cgi-bin/freepublish/batchget", "/cgi-bin/material/batchget_material"]);
    expect(quotas[1]).toMatchObject({ account: APP, known: true, limit: 100_000, reserve: 10_000, interval_minutes: 15, configured_minutes: 15 });
    expect(quotas[1]!.interval_reason).toMatch(/^configured: /);
    expect(quotas[0]).toMatchObject({ known: false, interval_minutes: 15, interval_reason: "configured (quota not read yet)" });
  });

  it("status shows a throttled account until the quota resets", async () => {
    const until = new Date(Date.now() + 3_600_000);
    await db.sql.query("UPDATE accounts SET throttled_until = $1", [until]);
    const r = await runMpsync(["status"], env);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").filter((l) => !l.includes("/cgi-bin/"));
    expect(lines).toHaveLength(SOURCES.length);
    for (const l of lines) expect(l).toContain(`throttled until ${until.toISOString()}`);
    await db.sql.query("UPDATE accounts SET throttled_until = NULL");
  });

  it("accounts lists accounts without secrets and checks them live", async () => {
    const ok = await runMpsync(["accounts", "--check", "--json"], env);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual([
      checkedAccountJson(APP),
    ]);
    sim.expireTokens(); // the cached token fails, and the refresh needs the (wrong) secret
    const bad = await runMpsync(["accounts", "--check"], { ...env, WECHAT_APP_SECRET: "wrong-secret-value" });
    expect(bad.code).toBe(1);
    expect(bad.stdout.trim()).toMatch(new RegExp(`^${APP} stable: ok \\| check: FAILED \\(WeChat /cgi-bin/stable_token failed with errcode 40125 .*\\)$`));
    expect(bad.all).not.toContain("wrong-secret-value");
  });
});
