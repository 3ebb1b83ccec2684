// Dispatch by job name through a real queue and worker: each catalog name reaches its own
// handler with its parsed payload; an unknown name or a bad payload fails the job at once
// (no retry, no handler called), whatever attempts it was given.
import { afterEach, describe, expect, it } from "vitest";
import { Queue, QueueEvents, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { randomBytes } from "node:crypto";
import { QUEUE_NAME, type JobName, type JobPayload } from "../../jobs/catalog.ts";
import { createProcessor } from "../../jobs/dispatch.ts";
import { createTestRedis } from "../helpers/db.ts";

const redis = createTestRedis();
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** A fresh queue and worker (own prefix per test) whose handlers record what they got. */
async function setup() {
  const prefix = `${redis.prefix}:${randomBytes(4).toString("hex")}`;
  const calls: { name: JobName; payload: unknown }[] = [];
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUE_NAME, { connection, prefix });
  const events = new QueueEvents(QUEUE_NAME, { connection: connection.duplicate(), prefix });
  const record = <N extends JobName>(name: N) => async (payload: JobPayload<N>) => {
    calls.push({ name, payload });
    return name;
  };
  const worker = new Worker(QUEUE_NAME, createProcessor(QUEUE_NAME, { "sync-run": record("sync-run"), "schedule-tick": record("schedule-tick"), "planner-tick": record("planner-tick"), "search-reindex": record("search-reindex") }), { connection: connection.duplicate(), prefix });
  await Promise.all([worker.waitUntilReady(), events.waitUntilReady()]);
  closers.push(async () => {
    await worker.close();
    await events.close();
    await queue.close();
    connection.disconnect();
  });
  /** the job's end: its return value, or its failure reason and how many attempts it used */
  const outcome = async (job: Job) => {
    try {
      return { returned: await job.waitUntilFinished(events, 20_000) };
    } catch (e) {
      const done = (await queue.getJob(job.id!))!;
      return { failed: (e as Error).message, attemptsMade: done.attemptsMade, state: await done.getState() };
    }
  };
  return { queue, calls, outcome };
}

const target = { appId: "wxdispatch0000001", source: "published" } as const;

describe("job dispatch", () => {
  it("sends each catalog name to its own handler with its parsed payload", async () => {
    const { queue, calls, outcome } = await setup();
    const run = await queue.add("sync-run", { ...target, mode: "full", trigger: "manual" });
    expect(await outcome(run)).toEqual({ returned: "sync-run" });
    const tick = await queue.add("schedule-tick", { ...target, mode: "incremental" });
    expect(await outcome(tick)).toEqual({ returned: "schedule-tick" });
    expect(calls).toEqual([
      { name: "sync-run", payload: { ...target, mode: "full", trigger: "manual" } },
      { name: "schedule-tick", payload: { ...target, mode: "incremental" } },
    ]);
  });

  it("fails an unknown job name at once and calls no handler", async () => {
    const { queue, calls, outcome } = await setup();
    const job = await queue.add("media-mirror", { ...target, mode: "full", trigger: "manual" }, { attempts: 5 });
    expect(await outcome(job)).toEqual({ failed: "unknown job name media-mirror on queue sync", attemptsMade: 1, state: "failed" });
    expect(calls).toEqual([]);
  });

  it("fails a catalog job of another queue at once and calls no handler", async () => {
    const { queue, calls, outcome } = await setup();
    const job = await queue.add("media-sync", {}, { attempts: 5 });
    expect(await outcome(job)).toEqual({ failed: "unknown job name media-sync on queue sync", attemptsMade: 1, state: "failed" });
    expect(calls).toEqual([]);
  });

  it("fails a payload its schema refuses at once and calls no handler", async () => {
    const { queue, calls, outcome } = await setup();
    // a schedule-tick payload sent under the sync-run name: no trigger
    const job = await queue.add("sync-run", { ...target, mode: "full" }, { attempts: 5 });
    const r = await outcome(job);
    expect(r).toMatchObject({ attemptsMade: 1, state: "failed" });
    expect(r.failed).toMatch(/^job sync-run has an invalid payload: .*trigger/s);
    expect(calls).toEqual([]);
  });
});
