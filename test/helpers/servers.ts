// Where the tests find Postgres and Redis. Tests use the servers of DATABASE_URL /
// REDIS_URL but never the database DATABASE_URL names: each test file gets its own.
import pg from "pg";
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, withDatabase } from "../../src/config/database.ts";

export const serverUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
export const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
/** Name of the migrated template database; one per test run. */
export const TEMPLATE_ENV = "MPSYNC_TEST_TEMPLATE_DB";

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
