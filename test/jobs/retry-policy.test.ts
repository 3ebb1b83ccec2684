// Job retries by error class: transient retries with backoff, locked and throttled wait,
// operator-caused failures fail at once. The throttle case runs through a real worker.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueSync } from "../../jobs/enqueue.ts";
import { decideFailure, LOCKED_RETRY_MS } from "../../jobs/retry-policy.ts";
import { startSyncWorker, type SyncWorker } from "../../jobs/worker.ts";
import type { Runtime } from "../../src/runtime.ts";
import type { Simulator } from "../../src/simulator/index.ts";
import { AccountThrottledError, SyncAbortedError, SyncLockedError, UnknownAccountError } from "../../src/sync/errors.ts";
import { nextQuotaReset } from "../../src/sync/quota-reset.ts";
import { apiError } from "../../src/wechat/errcodes.ts";
import { MalformedResponseError, ResponseTooLargeError, TokenUnavailableError, TransportError } from "../../src/wechat/errors.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { APP_ID, runtimeFor, simulator } from "../sync/harness.ts";
import { until } from "./harness.ts";

const now = new Date("2026-03-01T10:00:00Z");

describe("decideFailure", () => {
  it.each([
    ["transport failure", new TransportError("reset", "/cgi-bin/freepublish/batchget", null), "retry"],
    ["system busy", apiError(-1, "busy", "/x"), "retry"],
    ["rate limited", apiError(45011, "limit", "/x"), "retry"],
    ["token", apiError(40001, "invalid", "/x"), "retry"],
    ["no token in time", new TokenUnavailableError("wx", 1_000), "retry"],
    ["a database hiccup", new Error("connection terminated"), "retry"],
    ["bad secret", apiError(40125, "invalid appsecret", "/cgi-bin/stable_token"), "fail"],
    ["forbidden", apiError(48001, "api unauthorized", "/x"), "fail"],
    ["retired API", apiError(45106, "api retired", "/x"), "fail"],
    ["unknown errcode", apiError(40007, "invalid media_id", "/x"), "fail"],
    ["malformed", new MalformedResponseError("/x", "item[0].article_id", "is missing"), "fail"],
    ["too large", new ResponseTooLargeError("/x", 1024), "fail"],
    ["unknown account", new UnknownAccountError("wxgone"), "fail"],
  ])("%s → %s", (_label, error, action) => {
    expect(decideFailure(error, now).action).toBe(action);
  });

  it("waits instead of using attempts when locked, throttled, out of quota or stopped", () => {
    expect(decideFailure(new SyncLockedError("wx", "published"), now)).toEqual({ action: "delay", until: new Date(now.getTime() + LOCKED_RETRY_MS) });
    const until = new Date("2026-03-01T16:00:00Z");
    expect(decideFailure(new AccountThrottledError("wx", until), now)).toEqual({ action: "delay", until });
    expect(decideFailure(apiError(45009, "quota", "/x"), now)).toEqual({ action: "delay", until: nextQuotaReset(now) });
    expect(decideFailure(new SyncAbortedError("1"), now)).toEqual({ action: "delay", until: now });
  });
});

const db = await createTestDatabase();
const redis = createTestRedis();

describe("a run hitting the daily quota through a real worker", () => {
  let sim: Simulator;
  let runtime: Runtime;
  let worker: SyncWorker;

  beforeAll(async () => {
    sim = await simulator();
    runtime = runtimeFor(db, redis, sim);
    worker = await startSyncWorker(runtime, { schedules: false });
  });
  afterAll(async () => {
    await worker?.shutdown(5_000);
    await runtime?.close();
    await sim?.close();
  });

  it("is delayed until the quota resets, keeping its attempts, and the account shows throttled", async () => {
    // the quota cannot be read: the 45009 throttle is the fallback (a readable quota pauses instead)
    sim.setDailyLimits({ "/cgi-bin/freepublish/batchget": 2 });
    sim.setFaults({ forceErrcode: 48001, endpoints: ["openapi/quota/get"] });
    const before = new Date();
    const { jobId } = await enqueueSync(worker.queue, { appId: APP_ID, source: "published", mode: "full", trigger: "manual" });
    const job = await until(async () => {
      const j = await worker.queue.getJob(jobId);
      return j && (await j.getState()) === "delayed" && j.processedOn ? j : null;
    }, 20_000, "the job to be delayed");
    // BullMQ keeps the delay relative to when the job was added: the moment of the move is a few ms off
    const resumesAt = job.timestamp + job.delay;
    expect(Math.abs(resumesAt - nextQuotaReset(before).getTime())).toBeLessThan(5_000);
    expect(job.attemptsMade).toBe(0);
    const account = await db.sql.query<{ throttled_until: Date }>("SELECT throttled_until FROM accounts");
    expect(account.rows[0]!.throttled_until.getTime()).toBe(nextQuotaReset(before).getTime());
    const run = await db.sql.query<{ status: string; error_code: number }>("SELECT status, error_code FROM sync_runs");
    expect(run.rows).toEqual([{ status: "failed", error_code: 45009 }]);
  });
});
