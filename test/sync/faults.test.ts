// Faults: -1 errors and a token expiry mid-walk still end in the exact state; 45009
// throttles the account; a malformed page fails the run naming the field and leaves
// previously synced rows untouched; configuration errors are recorded on the account.
// Every test has its own database and simulator (freshSyncEnv).
import { describe, expect, it } from "vitest";
import { AccountThrottledError, SyncLockedError } from "../../src/sync/errors.ts";
import { AccountRejectedError, MalformedResponseError, QuotaExhaustedError } from "../../src/wechat/errors.ts";
import { nextQuotaReset } from "../../src/sync/quota-reset.ts";
import { SOURCES } from "../../src/sync/types.ts";
import { APP_ID, assertConverged, freshSyncEnv, rowVersions, rowsWritten } from "./harness.ts";

const env = freshSyncEnv({ concurrency: 3 });

const full = (source: (typeof SOURCES)[number]) => env.rt.engine.run({ appId: APP_ID, source, mode: "full", trigger: "manual" });
const listCalls = (): number => {
  const c = env.sim.counters().calls;
  return (c["/cgi-bin/freepublish/batchget"] ?? 0) + (c["/cgi-bin/material/batchget_material"] ?? 0);
};

describe("faults", () => {
  it("10% system-busy errors and a token expiry mid-walk still end in the exact state", async () => {
    env.sim.setFaults({ systemBusyRate: 0.1, seed: 3 });
    let calls = 0;
    env.sim.onRequest(() => {
      if (++calls === 4) env.sim.expireTokens();
    });
    try {
      for (const s of SOURCES) expect((await full(s)).status).toBe("succeeded");
    } finally {
      env.sim.onRequest(undefined);
      env.sim.setFaults({});
    }
    expect(env.sim.counters().errcodes["/cgi-bin/freepublish/batchget -1"] ?? 0).toBeGreaterThan(0);
    expect(env.sim.counters().errcodes["/cgi-bin/freepublish/batchget 42001"] ?? 0).toBeGreaterThan(0);
    await assertConverged(env.db.sql, env.sim, (a, b) => expect(a).toEqual(b));
  });

  it("a malformed page fails the run, names the field, and leaves synced rows untouched", async () => {
    for (const s of SOURCES) await full(s);
    env.sim.editArticle(env.sim.published()[70]!.article_id, { title: "changed but never reached" }, 0);
    const before = await rowVersions(env.db.sql);
    // the first pages are fine, then one malformed page
    let calls = 0;
    env.sim.onRequest(() => {
      if (++calls === 3) env.sim.setFaults({ malformedPages: 1, malformedKind: "missing-id" });
    });
    const err = await full("published").catch((e: unknown) => e);
    env.sim.onRequest(undefined);
    env.sim.setFaults({});
    expect(err).toBeInstanceOf(MalformedResponseError);
    expect((err as Error).message).toMatch(/article_id/);
    expect(rowsWritten(before, await rowVersions(env.db.sql))).toBe(0);
    const run = await env.db.sql.query("SELECT status, error_code, error_message FROM sync_runs ORDER BY id DESC LIMIT 1");
    expect(run.rows[0].status).toBe("failed");
    expect(run.rows[0].error_message).toMatch(/article_id/);
    // the next run resumes and finishes
    expect((await full("published")).status).toBe("succeeded");
    await assertConverged(env.db.sql, env.sim, (a, b) => expect(a).toEqual(b));
  });

  it("a configuration error fails the run and is recorded on the account", async () => {
    env.sim.setFaults({ forceErrcode: 48001 });
    const err = await full("material:voice").catch((e: unknown) => e);
    env.sim.setFaults({});
    expect(err).toBeInstanceOf(AccountRejectedError);
    expect(err).toMatchObject({ errcode: 48001 });
    const acc = await env.db.sql.query("SELECT last_error_code, last_error_at, last_error_message, throttled_until FROM accounts");
    expect(acc.rows[0].last_error_code).toBe(48001);
    expect(acc.rows[0].last_error_at).toBeInstanceOf(Date);
    expect(acc.rows[0].last_error_message).toMatch(/48001/);
    expect(acc.rows[0].throttled_until).toBeNull();
  });

  it("45009 throttles the account until 00:00 Asia/Shanghai; no API call before then", async () => {
    // an unreadable quota: the 45009 throttle is the fallback (a readable spent quota pauses instead, test/quota)
    env.sim.setDailyLimits({ "/cgi-bin/material/batchget_material": 0 });
    env.sim.setFaults({ forceErrcode: 48001, endpoints: ["openapi/quota/get"] });
    const err = await full("material:image").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuotaExhaustedError);
    expect(err).toMatchObject({ errcode: 45009 });
    const acc = await env.db.sql.query("SELECT throttled_until FROM accounts");
    const until = acc.rows[0].throttled_until as Date;
    expect(until.getTime()).toBe(nextQuotaReset().getTime());
    env.sim.setFaults({});
    env.sim.setDailyLimits({});
    env.sim.resetCounters();
    const again = await full("published").catch((e: unknown) => e);
    expect(again).toBeInstanceOf(AccountThrottledError);
    expect(listCalls()).toBe(0);
  });

  it("the Shanghai midnight is computed in UTC+8", () => {
    expect(nextQuotaReset(new Date("2026-01-01T15:59:59Z")).toISOString()).toBe("2026-01-01T16:00:00.000Z");
    expect(nextQuotaReset(new Date("2026-01-01T16:00:00Z")).toISOString()).toBe("2026-01-02T16:00:00.000Z");
  });

  it("two runs of the same source at once: the second is refused", async () => {
    env.sim.setFaults({ latencyMs: 30 });
    const a = full("material:video");
    // the first holds the lock once its run row exists
    for (let i = 0; i < 1_000; i++) {
      const r = await env.db.sql.query("SELECT 1 FROM sync_runs WHERE source = 'material:video' AND status = 'running'");
      if (r.rowCount) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const b = await full("material:video").catch((e: unknown) => e);
    env.sim.setFaults({});
    expect(b).toBeInstanceOf(SyncLockedError);
    expect((await a).status).toBe("succeeded");
  });
});
