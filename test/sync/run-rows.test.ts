// What a run row and a run's result say (issue 9, cases 3 and 6): a job's run is executed
// once however often the job is delivered; items_seen counts distinct items, and the
// verification re-read of a concurrent full walk is counted apart.
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { APP_ID, runtimeFor, simulator } from "./harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const sim = await simulator({ seed: { seed: 3, published: 300, maxNewsItems: 2, contentBytes: 100, materials: { image: 45, video: 1, voice: 1, news: 1 } } });
const rt = runtimeFor(db, redis, sim, 4);
afterAll(async () => {
  await rt.close();
  await sim.close();
});

describe("run rows", () => {
  it("a concurrent full walk counts 300 articles as 300 seen, its page-0 verification as a verification read", async () => {
    const r = await rt.engine.run({ appId: APP_ID, source: "published", mode: "full", trigger: "manual" });
    expect(r).toMatchObject({ status: "succeeded", runs: 1, itemsSeen: 300, inserted: 300, unchanged: 0, pages: 15, verificationReads: 1 });
    const row = await db.sql.query("SELECT items_seen, pages, verification_reads, walk_run_id = id AS own_walk FROM sync_runs WHERE id = $1", [r.runId]);
    expect(row.rows[0]).toEqual({ items_seen: 300, pages: 15, verification_reads: 1, own_walk: true });
  });

  it("a job delivered again after its run succeeded is not run again", async () => {
    const first = await rt.engine.run({ appId: APP_ID, source: "material:image", mode: "full", trigger: "manual", jobId: "job-once-1" });
    expect(first).toMatchObject({ status: "succeeded", alreadySucceeded: false, inserted: 45 });
    const total = (): number => Object.values(sim.counters().calls).reduce((a, b) => a + b, 0);
    const before = total();
    const again = await rt.engine.run({ appId: APP_ID, source: "material:image", mode: "full", trigger: "manual", jobId: "job-once-1" });
    expect(total()).toBe(before); // no WeChat request at all
    expect(again).toMatchObject({ status: "succeeded", alreadySucceeded: true, runId: first.runId, inserted: 45 });
    const rows = await db.sql.query("SELECT job_id, status FROM sync_runs WHERE source = 'material:image'");
    expect(rows.rows).toEqual([{ job_id: "job-once-1", status: "succeeded" }]);
    // another job is another request: it runs
    const other = await rt.engine.run({ appId: APP_ID, source: "material:image", mode: "full", trigger: "manual", jobId: "job-once-2" });
    expect(other).toMatchObject({ alreadySucceeded: false, itemsSeen: 45, unchanged: 45 });
  });
});
