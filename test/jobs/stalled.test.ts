// A worker killed outright (SIGKILL) mid-run leaves a stalled job: another worker takes it
// once its lock expires and the engine resumes from the saved checkpoint to the exact state.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueSync } from "../../jobs/enqueue.ts";
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

beforeAll(async () => {
  sim = await startSimulator({
    apps: [{ appId: APP, secret: SIM_DEFAULT_APP.secret }],
    seed: { seed: 21, published: 300, maxNewsItems: 2, contentBytes: 150, materials: { image: 1, video: 1, voice: 1, news: 1 } },
  });
  env = childEnv(db, redis, sim, { WORKER_LOCK_DURATION_MS: "2000" });
});

afterAll(async () => {
  await sim?.close();
});

const fullRuns = async () =>
  (await db.sql.query<{ id: string; status: string; pages: number; error_message: string | null }>(
    "SELECT id::text, status, pages, error_message FROM sync_runs WHERE source = 'published' AND mode = 'full' ORDER BY id",
  )).rows;

describe("a worker killed mid-run", () => {
  it("its stalled job is resumed by another worker from the checkpoint", async () => {
    sim.setFaults({ latencyMs: 300, endpoints: ["freepublish/batchget"] });
    const first = spawnMpsync(["worker"], env);
    await first.waitFor(/worker consuming/);
    const { jobId } = await enqueueSync(queue, { appId: APP, source: "published", mode: "full", trigger: "manual" });
    await until(async () => (await fullRuns()).some((r) => r.status === "running" && r.pages >= 2), 30_000, "two committed pages");
    first.proc.kill("SIGKILL");
    await first.exited;
    const killedAt = (await fullRuns())[0]!;
    expect(killedAt.status).toBe("running"); // nobody closed it: the process died

    sim.setFaults({});
    const second = spawnMpsync(["worker"], env);
    const state = await until(async () => {
      const s = await (await queue.getJob(jobId))?.getState();
      return s === "completed" || s === "failed" ? s : null;
    }, 45_000, "the stalled job to be resumed and finish");
    expect(state).toBe("completed");
    const runs = await fullRuns();
    expect(runs.map((r) => r.status)).toEqual(["failed", "succeeded"]);
    expect(runs[0]!.error_message).toMatch(new RegExp(`interrupted.*resumed by run ${runs[1]!.id}`));
    const byId = (a: { article_id: unknown }, b: { article_id: unknown }): number => (String(a.article_id) < String(b.article_id) ? -1 : 1);
    expect((await storedState(db.sql)).articles.sort(byId)).toEqual(expectedState(sim).articles.sort(byId));
    second.proc.kill("SIGTERM");
    expect((await second.exited).code).toBe(0);
  });
});
