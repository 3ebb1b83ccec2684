// The pending slot without a worker: one pending run per (account, source), a full request
// upgrades a pending incremental one, and a run that started frees the slot.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { z } from "zod";
import { enqueueSync } from "../../jobs/enqueue.ts";
import { createSyncQueue, targetKey, type SyncQueue } from "../../jobs/queue.ts";
import { createTestRedis } from "../helpers/db.ts";

const redis = createTestRedis();
// a queue of each test's own (own key prefix): no test sees another's jobs
let queue: SyncQueue;
let connection: Redis;
beforeEach(() => {
  connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  queue = createSyncQueue(connection, `${redis.prefix}:${randomBytes(4).toString("hex")}`);
});
afterEach(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
});
const target = { appId: "wxenqueue00000001", source: "published" as const };

describe("enqueueSync", () => {
  it("keeps one pending run, upgrading incremental to full, never downgrading", async () => {
    const first = await enqueueSync(queue, { ...target, mode: "incremental", trigger: "schedule" });
    expect(first.outcome).toBe("queued");
    const again = await enqueueSync(queue, { ...target, mode: "incremental", trigger: "manual" });
    expect(again).toEqual({ ...target, jobId: first.jobId, outcome: "merged" });
    const full = await enqueueSync(queue, { ...target, mode: "full", trigger: "manual" });
    expect(full).toEqual({ ...target, jobId: first.jobId, outcome: "upgraded" });
    expect((await queue.getJob(first.jobId))?.data).toEqual({ ...target, mode: "full", trigger: "manual" });
    expect((await enqueueSync(queue, { ...target, mode: "full", trigger: "manual" })).outcome).toBe("merged");
    expect((await enqueueSync(queue, { ...target, mode: "incremental", trigger: "schedule" })).outcome).toBe("merged");
    expect((await queue.getJob(first.jobId))?.data.mode).toBe("full");
    // other sources and accounts have slots of their own
    expect((await enqueueSync(queue, { ...target, source: "material:news", mode: "full", trigger: "manual" })).outcome).toBe("queued");
    expect((await enqueueSync(queue, { ...target, appId: "wxenqueue00000002", mode: "full", trigger: "manual" })).outcome).toBe("queued");
    expect(await queue.getJobCounts("waiting")).toEqual({ waiting: 3 });
  });

  it("queues a new pending run once the previous one released its slot (it started)", async () => {
    await enqueueSync(queue, { ...target, mode: "full", trigger: "manual" });
    const pendingId = await queue.getDeduplicationJobId(targetKey(target.appId, target.source));
    expect(pendingId).not.toBeNull();
    const job = await queue.getJob(pendingId!);
    expect(await job!.removeDeduplicationKey()).toBe(true); // what the processor does when the run starts
    const next = await enqueueSync(queue, { ...target, mode: "incremental", trigger: "schedule" });
    expect(next.outcome).toBe("queued");
    expect(next.jobId).not.toBe(pendingId);
  });

  it("rejects payloads outside the catalog", async () => {
    await expect(enqueueSync(queue, { ...target, source: "comments" as never, mode: "full", trigger: "manual" })).rejects.toBeInstanceOf(z.ZodError);
  });
});
