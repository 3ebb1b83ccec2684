// The CLI's output contract (issue 9, cases 4, 5 and 9): results on stdout, logs on stderr;
// --json is one snake_case JSON document; usage errors are one line naming the help, exit 2;
// configuration, database and Redis problems are one line in every command, without hanging;
// the first SIGTERM stops an inline sync within WORKER_SHUTDOWN_TIMEOUT_MS, recorded as
// interrupted; accounts --check checks the secret for real and fails the exit code.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withDatabase } from "../../src/config/database.ts";
import { SIM_DEFAULT_APP, type Simulator } from "../../src/simulator/index.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { serverUrl } from "../helpers/servers.ts";
import { checkedAccountJson, childEnv, runMpsync, spawnMpsync, until } from "../jobs/harness.ts";
import { simulator } from "../sync/harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const APP = SIM_DEFAULT_APP.appId;
const SHUTDOWN_BOUND_MS = 3_000;
let sim: Simulator;
let env: Record<string, string>;

beforeAll(async () => {
  sim = await simulator();
  env = childEnv(db, redis, sim, { WORKER_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_BOUND_MS) });
});
afterAll(async () => {
  await sim?.close();
});

const stderrOf = (r: { all: string; stdout: string }): string => r.all.replace(r.stdout, "");
/** every key of a JSON value, nested */
function keys(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) keys(x, out);
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) (out.push(k), keys(x, out));
  return out;
}

describe("usage", () => {
  it("--version prints the package version", async () => {
    const r = await runMpsync(["--version"], env);
    const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../package.json"), "utf8")) as { version: string };
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it.each([
    [["sync", "--source", "foo"], /^mpsync sync: option '--source <source>' argument 'foo' is invalid\. expected one of published, .* \(see mpsync sync --help\)$/],
    [["status", "--colour"], /^mpsync status: unknown option '--colour' \(see mpsync status --help\)$/],
    [["frobnicate"], /^mpsync: unknown command 'frobnicate' \(see mpsync --help\)$/],
  ])("%j is one line naming the help, exit 2, nothing on stdout", async (args, pattern) => {
    const r = await runMpsync(args, env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.all.trim().split("\n")).toHaveLength(1);
    expect(r.all.trim()).toMatch(pattern);
  });
});

describe("configuration, database and Redis problems: one line in every command, no hang", () => {
  const missingDb = withDatabase(serverUrl, "mpsync_no_such_database_here");
  it.each([
    ["sync --inline, Redis unreachable", ["sync", "--inline"], { REDIS_URL: "redis://127.0.0.1:1" }, /^mpsync: REDIS_URL: cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)$/],
    ["accounts --check, Redis unreachable", ["accounts", "--check"], { REDIS_URL: "redis://127.0.0.1:1" }, /^mpsync: REDIS_URL: cannot reach Redis/],
    ["sync (queued), Redis unreachable", ["sync"], { REDIS_URL: "redis://127.0.0.1:1" }, /^mpsync: REDIS_URL: cannot reach Redis/],
    ["status, DB index out of range", ["status"], { REDIS_URL: `${redis.url}/99` }, /^mpsync: REDIS_URL: Redis at redis:\/\/.*\/99 has no database 99 \(ERR DB index is out of range\)$/],
    ["sync --inline, DB index out of range", ["sync", "--inline"], { REDIS_URL: `${redis.url}/99` }, /^mpsync: REDIS_URL: Redis at .* has no database 99/],
    ["worker, DB index not a number", ["worker"], { REDIS_URL: `${redis.url}/abc` }, /^mpsync: configuration error: REDIS_URL database index must be a non-negative integer/],
    ["sync --inline, missing database", ["sync", "--inline"], { DATABASE_URL: missingDb }, /^mpsync: DATABASE_URL: cannot use database at .*mpsync_no_such_database_here \(3D000: /],
    ["accounts, missing database", ["accounts"], { DATABASE_URL: missingDb }, /^mpsync: DATABASE_URL: cannot use database/],
  ])("%s", async (_label, args, extra, pattern) => {
    const r = await runMpsync(args, { ...env, ...extra });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const lines = r.all.trim().split("\n");
    expect(lines, r.all).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
  });
});

describe("results on stdout, logs on stderr, snake_case JSON", () => {
  it("sync --inline --json with LOG_LEVEL=debug prints one JSON document of the walk's totals", async () => {
    const r = await runMpsync(["sync", "--inline", "--full", "--source", "material:voice", "--json"], { ...env, LOG_LEVEL: "debug" });
    expect(r.code, r.all).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(doc).toEqual([expect.objectContaining({ account: APP, source: "material:voice", mode: "full", status: "succeeded", runs: 1, items_seen: 7, inserted: 7, api_calls: expect.any(Number) })]);
    for (const k of keys(doc)) expect(k).toMatch(/^[a-z0-9_]+$/);
    expect(stderrOf(r)).toMatch(/"level":"debug"/); // the logs went to stderr
  });

  it("accounts --check --json with LOG_LEVEL=debug: one snake_case JSON document, the secret checked with stable_token", async () => {
    const r = await runMpsync(["accounts", "--check", "--json"], { ...env, LOG_LEVEL: "debug" });
    expect(r.code, r.all).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(doc).toEqual([
      checkedAccountJson(APP),
    ]);
  });

  it("accounts --check fails (exit 1) on a wrong secret even while a valid token is cached", async () => {
    await runMpsync(["accounts", "--check"], env); // a valid token is now cached in Redis
    const bad = await runMpsync(["accounts", "--check"], { ...env, WECHAT_APP_SECRET: "wrong-secret-value" });
    expect(bad.code).toBe(1);
    expect(bad.stdout.trim()).toMatch(new RegExp(`^${APP} stable: ok \\| check: FAILED \\(WeChat /cgi-bin/stable_token failed with errcode 40125 .*\\)$`));
    expect(stderrOf(bad).trim().split("\n").at(-1)).toBe("mpsync: 1 of 1 account check(s) failed");
    expect(bad.all).not.toContain("wrong-secret-value");
  });

  it("a legacy account's check says what it cannot check", async () => {
    const r = await runMpsync(["accounts", "--check", "--json"], { ...env, WECHAT_TOKEN_KIND: "legacy" });
    expect(r.code, r.all).toBe(0);
    const [a] = JSON.parse(r.stdout) as { check: { ok: boolean; secret_checked: boolean; message: string } }[];
    expect(a!.check).toMatchObject({ ok: true, secret_checked: false });
    expect(a!.check.message).toMatch(/would retire the token other processes use/);
  });
});

describe("sync --inline stops on the first SIGTERM", () => {
  it("within WORKER_SHUTDOWN_TIMEOUT_MS, the run recorded interrupted with its checkpoint", async () => {
    sim.setFaults({ latencyMs: 60_000, endpoints: ["freepublish/batchget"] }); // a page that never comes
    const child = spawnMpsync(["sync", "--inline", "--full", "--source", "published"], env);
    await until(async () => (await db.sql.query("SELECT 1 FROM sync_runs WHERE source = 'published' AND status = 'running'")).rowCount === 1, 30_000, "the run to start");
    child.proc.kill("SIGTERM");
    const exit = await Promise.race([child.exited, new Promise<"hung">((r) => setTimeout(() => r("hung"), SHUTDOWN_BOUND_MS + 3_000))]);
    sim.setFaults({});
    expect(exit).not.toBe("hung");
    expect((exit as { code: number }).code).not.toBe(0);
    const rows = await db.sql.query<{ status: string; error_message: string }>("SELECT status, error_message FROM sync_runs WHERE source = 'published'");
    expect(rows.rows).toEqual([{ status: "interrupted", error_message: expect.stringMatching(/stopped on request/) }]);
  });
});

describe("sync --wait", () => {
  it("names the database the worker wrote to when it is not the caller's", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "mpsync-contract-"));
    const accountsFile = path.join(dir, "accounts.yaml");
    writeFileSync(accountsFile, `accounts:\n  - appId: ${APP}\n    appSecret: ${SIM_DEFAULT_APP.secret}\n    schedule:\n      enabled: false\n`);
    const workerEnv = { ...env, MPSYNC_ACCOUNTS_FILE: accountsFile };
    const worker = spawnMpsync(["worker"], workerEnv);
    await worker.waitFor(/worker consuming/);
    const other = withDatabase(serverUrl, "mpsync_someone_elses");
    const r = await runMpsync(["sync", "--wait", "--source", "material:image"], { ...workerEnv, DATABASE_URL: other });
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${APP} material:image incremental: .*\\[the worker wrote to database [^ ]+/${db.name}, not to [^ ]+/mpsync_someone_elses \\(your DATABASE_URL\\)\\]$`, "m"));
    const same = await runMpsync(["sync", "--wait", "--json", "--source", "material:image"], workerEnv);
    expect(same.code, same.all).toBe(0);
    const [doc] = JSON.parse(same.stdout) as { database: string; result: Record<string, unknown> }[];
    expect(doc!.database).toMatch(new RegExp(`/${db.name}$`));
    expect(same.stdout).not.toContain("your DATABASE_URL");
    for (const k of keys(doc)) expect(k).toMatch(/^[a-z0-9_]+$/);
    worker.proc.kill("SIGTERM");
    expect((await worker.exited).code).toBe(0);
  });
});
