// Faults: -1 errors and a token expiry mid-walk still end in the exact state; 45009
// throttles the account; a malformed page fails the run naming the field and leaves
// previously synced rows untouched; configuration errors are recorded on the account.
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { AccountThrottledError, SyncLockedError } from "../../src/sync/errors.ts";
import { AccountRejectedError, MalformedResponseError, QuotaExhaustedError } from "../../src/wechat/errors.ts";
import { nextQuotaReset } from "../../src/sync/quota-reset.ts";
import { SOURCES } from "../../src/sync/types.ts";
import { APP_ID, assertConverged, rowVersions, rowsWritten, runtimeFor, simulator } from "./harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const sim = await simulator();
const rt = runtimeFor(db, redis, sim, 3);
afterAll(async () => {
  await rt.close();
  await sim.close();
});

const full = (source: (typeof SOURCES)[number]) => rt.engine.run({ appId: APP_ID, source, mode: "full", trigger: "manual" });
const listCalls = (): number => {
  const c = sim.counters().calls;
  return (c["/cgi-bin/freepublish/batchget"] ?? 0) + (c["/cgi-bin/material/batchget_material"] ?? 0);
};

describe("faults", () => {
  it("10% system-busy errors and a token expiry mid-walk still end in the exact state", async () => {
    sim.setFaults({ systemBusyRate: 0.1, seed: 3 });
    let calls = 0;
    sim.onRequest(() => {
      if (++calls === 4) sim.expireTokens();
    });
    try {
      for (const s of SOURCES) expect((await full(s)).status).toBe("succeeded");
    } finally {
      sim.onRequest(undefined);
      sim.setFaults({});
    }
    expect(sim.counters().errcodes["/cgi-bin/freepublish/batchget -1"] ?? 0).toBeGreaterThan(0);
    expect(sim.counters().errcodes["/cgi-bin/freepublish/batchget 42001"] ?? 0).toBeGreaterThan(0);
    await assertConverged(db.sql, sim, (a, b) => expect(a).toEqual(b));
  });

  it("a malformed page fails the run, names the field, and leaves synced rows untouched", async () => {
    sim.editArticle(sim.published()[70]!.article_id, { title: "changed but never reached" }, 0);
    const before = await rowVersions(db.sql);
    // the first pages are fine, then one malformed page
    let calls = 0;
    sim.onRequest(() => {
      if (++calls === 3) sim.setFaults({ malformedPages: 1, malformedKind: "missing-id" });
    });
    const err = await full("published").catch((e: unknown) => e);
    sim.onRequest(undefined);
    sim.setFaults({});
    expect(err).toBeInstanceOf(MalformedResponseError);
    expect((err as Error).message).toMatch(/article_id/);
    expect(rowsWritten(before, await rowVersions(db.sql))).toBe(0);
    const run = await db.sql.query("SELECT status, error_code, error_message FROM sync_runs ORDER BY id DESC LIMIT 1");
    expect(run.rows[0].status).toBe("failed");
    expect(run.rows[0].error_message).toMatch(/article_id/);
    // the next run resumes and finishes
    expect((await full("published")).status).toBe("succeeded");
    await assertConverged(db.sql, sim, (a, b) => expect(a).toEqual(b));
  });

  it("a configuration error fails the run and is recorded on the account", async () => {
    sim.setFaults({ forceErrcode: 48001 });
    const err = await full("material:voice").catch((e: unknown) => e);
    sim.setFaults({});
    expect(err).toBeInstanceOf(AccountRejectedError);
    expect(err).toMatchObject({ errcode: 48001 });
    const acc = await db.sql.query("SELECT last_error_code, last_error_at, last_error_message, throttled_until FROM accounts");
    expect(acc.rows[0].last_error_code).toBe(48001);
    expect(acc.rows[0].last_error_at).toBeInstanceOf(Date);
    expect(acc.rows[0].last_error_message).toMatch(/48001/);
    expect(acc.rows[0].throttled_until).toBeNull();
  });

  it("45009 throttles the account until 00:00 Asia/Shanghai; no API call before then", async () => {
    sim.setFaults({ quotaBudget: 0 });
    const err = await full("material:image").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuotaExhaustedError);
    expect(err).toMatchObject({ errcode: 45009 });
    const acc = await db.sql.query("SELECT throttled_until FROM accounts");
    const until = acc.rows[0].throttled_until as Date;
    expect(until.getTime()).toBe(nextQuotaReset().getTime());
    sim.setFaults({});
    sim.resetCounters();
    const again = await full("published").catch((e: unknown) => e);
    expect(again).toBeInstanceOf(AccountThrottledError);
    expect(listCalls()).toBe(0);
    await db.sql.query("UPDATE accounts SET throttled_until = NULL");
  });

  it("the Shanghai midnight is computed in UTC+8", () => {
    expect(nextQuotaReset(new Date("2026-01-01T15:59:59Z")).toISOString()).toBe("2026-01-01T16:00:00.000Z");
    expect(nextQuotaReset(new Date("2026-01-01T16:00:00Z")).toISOString()).toBe("2026-01-02T16:00:00.000Z");
  });

  it("two runs of the same source at once: the second is refused", async () => {
    sim.setFaults({ latencyMs: 30 });
    const a = full("material:video");
    await new Promise((r) => setTimeout(r, 15));
    const b = await full("material:video").catch((e: unknown) => e);
    sim.setFaults({});
    expect(b).toBeInstanceOf(SyncLockedError);
    expect((await a).status).toBe("succeeded");
  });
});
