// SIGTERM during a full sync: the worker exits within its bound with the checkpoint saved,
// and a restarted worker finishes the run with the exact final state, while
// `mpsync sync --full --wait` follows it to the end. A 40125 answer fails the CLI in one line.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, SIM_DEFAULT_APP, type Simulator } from "../../src/simulator/index.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { expectedState, storedState } from "../sync/harness.ts";
import { runMpsync, spawnMpsync, until, childEnv } from "./harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const APP = SIM_DEFAULT_APP.appId;
const SHUTDOWN_BOUND_MS = 8_000;
let sim: Simulator;
let env: Record<string, string>;

beforeAll(async () => {
  sim = await startSimulator({
    apps: [{ appId: APP, secret: SIM_DEFAULT_APP.secret }],
    seed: { seed: 11, published: 400, maxNewsItems: 3, contentBytes: 200, materials: { image: 30, video: 3, voice: 2, news: 4 } },
  });
  // schedules off: only the runs this test asks for
  const dir = mkdtempSync(path.join(tmpdir(), "mpsync-jobs-"));
  const accountsFile = path.join(dir, "accounts.yaml");
  writeFileSync(
    accountsFile,
    `accounts:\n  - appId: ${APP}\n    appSecret: ${SIM_DEFAULT_APP.secret}\n    concurrency: 2\n    schedule:\n      enabled: false\n`,
  );
  env = childEnv(db, redis, sim, { MPSYNC_ACCOUNTS_FILE: accountsFile, WORKER_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_BOUND_MS) });
});

afterAll(async () => {
  await sim?.close();
});

const publishedRuns = async () =>
  (await db.sql.query<{ id: string; status: string; pages: number; has_checkpoint: boolean; error_message: string | null }>(
    "SELECT id::text, status, pages, checkpoint IS NOT NULL AS has_checkpoint, error_message FROM sync_runs WHERE source = 'published' AND mode = 'full' ORDER BY id",
  )).rows;

describe("shutdown, resume and the waiting CLI", () => {
  it("SIGTERM mid-run saves the checkpoint; a new worker finishes with the exact state; sync --wait reports it", async () => {
    sim.setFaults({ latencyMs: 300, endpoints: ["freepublish/batchget"] });
    const first = spawnMpsync(["worker"], env);
    await first.waitFor(/worker consuming/);
    const cli = spawnMpsync(["sync", "--full", "--wait", "--source", "published"], env);

    await until(async () => (await publishedRuns()).some((r) => r.status === "running" && r.pages >= 2), 30_000, "two committed pages");
    first.proc.kill("SIGTERM");
    const exit = await Promise.race([first.exited, new Promise<"hung">((r) => setTimeout(() => r("hung"), SHUTDOWN_BOUND_MS + 3_000))]);
    expect(exit).toEqual({ code: 0, signal: null });
    const stopped = await publishedRuns();
    expect(stopped).toHaveLength(1);
    expect(stopped[0]).toMatchObject({ status: "interrupted", has_checkpoint: true }); // a graceful stop is not a failure
    expect(stopped[0]!.error_message).toMatch(/stopped on request/);
    const pagesBefore = stopped[0]!.pages;
    expect(pagesBefore).toBeLessThan(20);

    sim.setFaults({});
    const second = spawnMpsync(["worker"], env);
    const done = await cli.exited;
    expect(done.code, cli.output()).toBe(0);
    const out = cli.output();
    expect(out).toMatch(new RegExp(`${APP} published full: page \\d+`));
    expect(out).toMatch(new RegExp(`${APP} published full: \\d+ pages, \\d+ API calls, \\d+ inserted`));

    const runs = await publishedRuns();
    expect(runs.map((r) => r.status)).toEqual(["interrupted", "succeeded"]);
    expect(runs[0]!.error_message).toMatch(new RegExp(`resumed by run ${runs[1]!.id}`));
    // the CLI's result counts the whole walk, both rows
    expect(out).toMatch(new RegExp(`${APP} published full: .* 400 inserted, .*\\(over 2 runs\\)`));
    const byId = (a: { article_id: unknown }, b: { article_id: unknown }): number => (String(a.article_id) < String(b.article_id) ? -1 : 1);
    expect((await storedState(db.sql)).articles.sort(byId)).toEqual(expectedState(sim).articles.sort(byId));
    second.proc.kill("SIGTERM");
    expect((await second.exited).code).toBe(0);
  });

  it("a simulator answering 40125 makes sync --full --wait exit non-zero with one line naming the account and cause", async () => {
    sim.setFaults({ forceErrcode: 40125 });
    const worker = spawnMpsync(["worker"], env);
    await worker.waitFor(/worker consuming/);
    const r = await runMpsync(["sync", "--full", "--wait", "--source", "material:image"], env);
    expect(r.code).not.toBe(0);
    const errLines = r.all.split("\n").filter((l) => l.startsWith("mpsync:"));
    expect(errLines).toHaveLength(1);
    expect(errLines[0]).toMatch(new RegExp(`^mpsync: sync of account ${APP} source material:image failed: .*errcode 40125`));
    expect(r.all).not.toContain(SIM_DEFAULT_APP.secret);
    // failed at once, without retries: the cause needs an operator
    const calls = sim.counters().errcodes["/cgi-bin/material/batchget_material 40125"];
    expect(calls).toBe(1);
    sim.setFaults({});
    worker.proc.kill("SIGTERM");
    expect((await worker.exited).code).toBe(0);
  });
});
