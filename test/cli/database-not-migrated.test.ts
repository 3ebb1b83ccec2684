// A database that does not exist, was never migrated, or lacks the newest migration: every
// command using it says, in one line, to run `mpsync migrate` (no Prisma dump, no stack),
// the worker refuses to start, and `mpsync migrate` itself still works on such a database.
import { afterAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { randomBytes } from "node:crypto";
import { withDatabase } from "../../src/config/database.ts";
import { applyMigrations, defaultPaths } from "../../src/store/migrations.ts";
import { committedMigrations } from "../../src/store/migration-state.ts";
import { createTestRedis } from "../helpers/db.ts";
import { admin, serverUrl, testDatabaseName } from "../helpers/servers.ts";

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, "../../bin/mpsync.js");
const redis = createTestRedis();

async function mpsync(args: string[], databaseUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const { HTTP_PORT: _port, MPSYNC_ACCOUNTS_FILE: _file, ...inherited } = process.env;
  const env = {
    ...inherited,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    MPSYNC_REDIS_PREFIX: redis.prefix,
    WECHAT_APP_ID: "wx00000000000000aa",
    WECHAT_APP_SECRET: "not-a-real-secret-not-a-real-se",
    LOG_LEVEL: "info",
  };
  try {
    const r = await run(process.execPath, [bin, ...args], { env, timeout: 45_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const created: string[] = [];
async function newDatabaseName(): Promise<string> {
  const name = testDatabaseName(`newdb_${randomBytes(4).toString("hex")}`);
  created.push(name);
  return name;
}
afterAll(async () => {
  await admin(async (c) => {
    for (const name of created) await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
});

/** The command failed with exactly one line on stderr naming `mpsync migrate`, and no internals. */
function expectMigrateLine(r: { code: number; stderr: string }, pattern: RegExp): void {
  expect(r.code).toBe(1);
  const lines = r.stderr.trim().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^mpsync: DATABASE_URL: .*run `mpsync migrate`/);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(r.stderr).not.toMatch(/invocation|prisma|does not exist in the current database|relation "/i);
}

const COMMANDS = [["status"], ["sync", "--inline"], ["worker"]];

describe("an empty, never migrated database", async () => {
  const name = await newDatabaseName();
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = withDatabase(serverUrl, name);

  it.each(COMMANDS)("%s says to run mpsync migrate", async (...args) => {
    const r = await mpsync(args, url);
    expectMigrateLine(r, /is not migrated/);
  });

  it("mpsync migrate migrates it, after which status works", async () => {
    const m = await mpsync(["migrate"], url);
    expect(m.code, m.stderr).toBe(0);
    expect(m.stdout).toMatch(new RegExp(`applied ${committedMigrations().length} migration\\(s\\)`));
    const s = await mpsync(["status"], url);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/wx00000000000000aa published: never run/);
  });
});

describe("a database that does not exist", async () => {
  const name = await newDatabaseName();
  const url = withDatabase(serverUrl, name);

  it.each(COMMANDS)("%s says to run mpsync migrate", async (...args) => {
    const r = await mpsync(args, url);
    expectMigrateLine(r, new RegExp(`cannot use database at .*/${name} \\(3D000: database "${name}" does not exist\\): run \`mpsync migrate\` to create and migrate it$`));
  });

  it("mpsync migrate creates and migrates it", async () => {
    const m = await mpsync(["migrate"], url);
    expect(m.code, m.stderr).toBe(0);
    const s = await mpsync(["status"], url);
    expect(s.code, s.stderr).toBe(0);
  });
});

describe("a database missing only the newest migration", async () => {
  const name = await newDatabaseName();
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = withDatabase(serverUrl, name);
  // migrated from a copy of prisma/migrations without its newest folder: a database one release behind
  const all = committedMigrations();
  const newest = all[all.length - 1]!;
  const dir = await mkdtemp(path.join(tmpdir(), "mpsync-migrations-"));
  await cp(defaultPaths.migrationsDir, dir, { recursive: true });
  await rm(path.join(dir, newest), { recursive: true });
  await applyMigrations(url, { schemaPath: defaultPaths.schemaPath, migrationsDir: dir });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each(COMMANDS)("%s names the pending migration and mpsync migrate", async (...args) => {
    const r = await mpsync(args, url);
    expectMigrateLine(r, new RegExp(`lacks 1 migration\\(s\\) \\(${newest}\\)`));
  });

  it("mpsync migrate applies just that one", async () => {
    const m = await mpsync(["migrate"], url);
    expect(m.code, m.stderr).toBe(0);
    expect(m.stdout.trim()).toBe(`applied 1 migration(s): ${newest}`);
  });
});
