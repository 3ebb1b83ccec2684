// A worker killed outright (SIGKILL) mid-run leaves a stalled job: another worker takes it
// once its lock expires (within WORKER_LOCK_DURATION_MS plus the stalled check's interval,
// as documented) and the engine resumes from the saved checkpoint to the exact state.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueSync } from "../../jobs/enqueue.ts";
import { lockSettings } from "../../jobs/worker.ts";
import { startSimulator, SIM_DEFAULT_APP, type Simulator } from "../../src/simulator/index.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { expectedState, storedState } from "../sync/harness.ts";
import { spawnMpsync, testQueue, until, childEnv } from "./harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const queue = testQueue(redis.url, redis.prefix);
const APP = SIM_DEFAULT_APP.appId;
let sim: Simulator;
let env: Record<string, string>;
const LOCK_MS = 4_000;

beforeAll(async () => {
  sim = await startSimulator({
    apps: [{ appId: APP, secret: SIM_DEFAULT_APP.secret }],
    seed: { seed: 21, published: 300, maxNewsItems: 2, contentBytes: 150, materials: { image: 1, video: 1, voice: 1, news: 1 } },
  });
  env = childEnv(db, redis, sim, { WORKER_LOCK_DURATION_MS: String(LOCK_MS) });
});

afterAll(async () => {
  await sim?.close();
});

const fullRuns = async () =>
  (await db.sql.query<{ id: string; status: string; pages: number; error_message: string | null }>(
    "SELECT id::text, status, pages, error_message FROM sync_runs WHERE source = 'published' AND mode = 'full' ORDER BY id",
  )).rows;

describe("takeover time", () => {
  it("the stalled check runs at a tenth of the lock, so the lock decides the takeover (not twice the lock)", () => {
    for (const lock of [1_000, 4_000, 30_000, 600_000]) {
      const s = lockSettings(lock);
      expect(s.lockDuration).toBe(lock);
      expect(s.takeoverWithinMs).toBe(lock + s.stalledInterval);
      expect(s.stalledInterval).toBeLessThanOrEqual(Math.max(500, lock / 10));
    }
    expect(lockSettings(30_000).takeoverWithinMs).toBe(33_000);
  });
});

describe("a worker killed mid-run", () => {
  it("its stalled job is resumed by another worker from the checkpoint", async () => {
    // pages from offset 40 on wait for the gate: the run is still going when the second worker has started
    let open: () => void = () => {};
    const gate = new Promise<void>((r) => (open = r));
    sim.onRequest(async (req) => {
      if (req.endpoint.includes("freepublish") && Number(req.body.offset ?? 0) >= 40) await gate;
    });
    const first = spawnMpsync(["worker"], env);
    await first.waitFor(/worker consuming/);
    const { jobId } = await enqueueSync(queue, { appId: APP, source: "published", mode: "full", trigger: "manual" });
    // committed pages show in the walk's page rows at once (in the run row at most once a second)
    const committed = async () =>
      (await db.sql.query<{ n: number }>("SELECT coalesce(max((counters->>'pages')::int), 0)::int AS n FROM sync_walk_pages WHERE source = 'published'")).rows[0]!.n;
    await until(async () => (await fullRuns()).some((r) => r.status === "running") && (await committed()) >= 2, 30_000, "two committed pages");
    // the second worker is already consuming when the first dies: the takeover is measured from the death
    const second = spawnMpsync(["worker"], env);
    await second.waitFor(/worker consuming/);
    first.proc.kill("SIGKILL");
    await first.exited;
    const diedAt = Date.now();
    const killedAt = (await fullRuns())[0]!;
    expect(killedAt.status).toBe("running"); // nobody closed it: the process died

    open();
    sim.onRequest(undefined);
    await until(async () => (await fullRuns()).length === 2, 30_000, "the resumed run to start");
    const takeoverMs = Date.now() - diedAt;
    // the documented bound (lock + stalled check), plus a second for starting the resumed run
    expect(takeoverMs).toBeLessThan(lockSettings(LOCK_MS).takeoverWithinMs + 1_000);
    const state = await until(async () => {
      const s = await (await queue.getJob(jobId))?.getState();
      return s === "completed" || s === "failed" ? s : null;
    }, 45_000, "the stalled job to be resumed and finish");
    expect(state).toBe("completed");
    const runs = await fullRuns();
    expect(runs.map((r) => r.status)).toEqual(["interrupted", "succeeded"]);
    expect(runs[0]!.error_message).toBe(`process ended; resumed by run ${runs[1]!.id}`);
    const byId = (a: { article_id: unknown }, b: { article_id: unknown }): number => (String(a.article_id) < String(b.article_id) ? -1 : 1);
    expect((await storedState(db.sql)).articles.sort(byId)).toEqual(expectedState(sim).articles.sort(byId));
    second.proc.kill("SIGTERM");
    expect((await second.exited).code).toBe(0);
  });
});
