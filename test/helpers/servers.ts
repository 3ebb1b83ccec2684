// Where the tests find Postgres and Redis. Tests use the servers of DATABASE_URL /
// REDIS_URL but never the database DATABASE_URL names: each test file gets its own.
import pg from "pg";
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, withDatabase } from "../../src/config/database.ts";

export const serverUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
export const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
/** Name of the migrated template database; one per test run. */
export const TEMPLATE_ENV = "MPSYNC_TEST_TEMPLATE_DB";
/** PID of the vitest process that owns this run; every test database name carries it. */
export const RUN_PID_ENV = "MPSYNC_TEST_RUN_PID";

/**
 * A database name of this test run: mpsync_test_<run pid>_<suffix>. The pid lets a later
 * run drop what an interrupted run left behind without touching a run still going.
 */
export function testDatabaseName(suffix: string): string {
  const pid = process.env[RUN_PID_ENV] ?? String(process.pid);
  return `mpsync_test_${pid}_${suffix}`;
}

/** The owning run's pid of a test database name, or null when the name is not ours. */
export function runPidOf(name: string): number | null {
  const m = /^mpsync_test_(\d+)_[0-9a-z_]+$/.exec(name);
  return m ? Number(m[1]) : null;
}

/** Runs fn with a short-lived connection to the server's maintenance database. */
export async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: withDatabase(serverUrl, "postgres") });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
