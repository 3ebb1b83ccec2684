// Two workers started together plan each (account, source) once, with the same due times,
// behind one tick scheduler; a manual full resync asked five times while a scheduled
// incremental run is active leaves exactly one active and one pending run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Job } from "bullmq";
import { activeRunOf } from "../../jobs/active-run.ts";
import { targetKey } from "../../jobs/queue.ts";
import { PLANNER_TICK_ID } from "../../jobs/planner.ts";
import { dueTimes, planKeys, planMember } from "../../src/planner/plan.ts";
import { SOURCES } from "../../src/sync/types.ts";
import { startSimulator, SIM_DEFAULT_APP, type Simulator } from "../../src/simulator/index.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { expectedState } from "../sync/harness.ts";
import { runMpsync, spawnMpsync, testQueue, until, type Child, childEnv } from "./harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const queue = testQueue(redis.url, redis.prefix);
const APP = SIM_DEFAULT_APP.appId;
let sim: Simulator;
let env: Record<string, string>;
let releasePublished: () => void = () => {};
const gate = new Promise<void>((r) => (releasePublished = r));
const workers: Child[] = [];

beforeAll(async () => {
  sim = await startSimulator({
    apps: [{ appId: APP, secret: SIM_DEFAULT_APP.secret }],
    seed: { seed: 3, published: 30, maxNewsItems: 2, contentBytes: 100, materials: { image: 5, video: 2, voice: 1, news: 2 } },
  });
  // published list calls wait until the test lets them through: the run stays active meanwhile
  sim.onRequest(async (req) => {
    if (req.endpoint.includes("freepublish")) await gate;
  });
  env = childEnv(db, redis, sim, { WORKER_CONCURRENCY: "4", MPSYNC_PLANNER_TICK_MS: "200" });
});

afterAll(async () => {
  releasePublished();
  for (const w of workers) w.proc.kill("SIGKILL");
  await sim?.close();
});

const sourceJobs = async (source: string, states: ("active" | "waiting" | "delayed" | "prioritized")[]): Promise<Job[]> =>
  (await queue.getJobs(states)).filter((j) => j.name === "sync-run" && j.data.source === source);

describe("schedules and deduplication across two workers", () => {
  it("two workers started together plan each target once, behind one tick scheduler", async () => {
    const members = SOURCES.flatMap((s) => [planMember(APP, s, "incremental"), planMember(APP, s, "full")]);
    workers.push(spawnMpsync(["worker"], env));
    await workers[0]!.waitFor(/worker consuming/);
    const first = await dueTimes(redis.redis, redis.prefix, members);
    workers.push(spawnMpsync(["worker"], env));
    await workers[1]!.waitFor(/worker consuming/);
    expect((await queue.getJobSchedulers(0, -1)).map((s) => s.key)).toEqual([PLANNER_TICK_ID]);
    expect(await redis.redis.zcard(planKeys(redis.prefix).due)).toBe(members.length);
    // the second replica changed no due time; one that came due meanwhile ran (a new account's
    // first runs fall due within the cadence) and moved on by itself, which is not a change
    const second = await dueTimes(redis.redis, redis.prefix, members);
    const now = Date.now();
    members.forEach((m, i) => {
      if (first[i]! > now) expect(second[i], m).toBe(first[i]);
      else expect(second[i]!, m).toBeGreaterThanOrEqual(first[i]!);
    });
    expect(first.filter((t, i) => t !== null && t > now && second[i] === t).length).toBeGreaterThan(0);
    for (const t of first) expect(t).toBeGreaterThan(Date.now() - 60_000);
  });

  it("five full resyncs while the scheduled incremental run is active: one active, one pending", async () => {
    // nothing else falls due during this test (whatever the time of day makes the plan's offsets)
    for (const source of SOURCES) for (const mode of ["incremental", "full"] as const) {
      await redis.redis.zadd(planKeys(redis.prefix).due, "XX", Date.now() + 3_600_000, planMember(APP, source, mode));
    }
    // the published incremental run falls due now: the next tick asks for it
    await redis.redis.zadd(planKeys(redis.prefix).due, "XX", Date.now(), planMember(APP, "published", "incremental"));
    const activeId = await until(() => activeRunOf(redis.redis, redis.prefix, APP, "published"), 20_000, "the published run to start");
    const active = await queue.getJob(activeId);
    expect(active?.data).toMatchObject({ mode: "incremental", trigger: "schedule" });

    const asks = await Promise.all(Array.from({ length: 5 }, () => runMpsync(["resync", "--account", APP, "--source", "published", "--json"], env)));
    for (const a of asks) expect(a.code).toBe(0);
    const answers = asks.map((a) => JSON.parse(a.stdout.trim().split("\n").pop()!) as { job_id: string; outcome: string }[]).map((r) => r[0]!);
    expect(answers.filter((a) => a.outcome === "queued")).toHaveLength(1);
    expect(new Set(answers.map((a) => a.job_id)).size).toBe(1);
    const pendingId = answers[0]!.job_id;
    expect(pendingId).not.toBe(activeId);

    expect(await queue.getDeduplicationJobId(targetKey(APP, "published"))).toBe(pendingId);
    expect((await sourceJobs("published", ["active"])).map((j) => j.id)).toEqual([activeId]);
    expect((await sourceJobs("published", ["waiting", "delayed", "prioritized"])).map((j) => j.id)).toEqual([pendingId]);
    expect((await queue.getJob(pendingId))?.data).toMatchObject({ mode: "full", trigger: "manual" });

    releasePublished();
    await until(async () => ((await queue.getJob(pendingId))?.finishedOn ? true : null), 45_000, "the pending full run to finish");
    expect(await (await queue.getJob(pendingId))!.getState()).toBe("completed");
    const runs = await db.sql.query<{ mode: string; trigger: string; status: string }>(
      "SELECT mode, trigger, status FROM sync_runs WHERE source = 'published' ORDER BY id",
    );
    expect(runs.rows).toEqual([
      { mode: "incremental", trigger: "schedule", status: "succeeded" },
      { mode: "full", trigger: "manual", status: "succeeded" },
    ]);
    const want = expectedState(sim).articles.map((a) => [a.article_id, a.is_deleted]);
    const got = await db.sql.query<{ article_id: string; is_deleted: boolean }>("SELECT article_id, is_deleted FROM published_articles ORDER BY article_id");
    const byId = (a: unknown[], b: unknown[]): number => (String(a[0]) < String(b[0]) ? -1 : 1);
    expect(got.rows.map((r) => [r.article_id, r.is_deleted]).sort(byId)).toEqual(want.sort(byId));
  });
});
