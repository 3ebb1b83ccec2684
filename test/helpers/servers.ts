// Where the tests find Postgres and Redis. Tests use the servers of DATABASE_URL /
// REDIS_URL but never the database DATABASE_URL names: each test file gets its own.
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL } from "../../src/config/database.ts";

export const serverUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
export const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
/** Name of the migrated template database; one per test run. */
export const TEMPLATE_ENV = "MPSYNC_TEST_TEMPLATE_DB";
