// Per test file (createTest*) or per test (openTest*): a database cloned from the
// migrated template and a Redis key prefix of its own, both removed at the end.
import pg from "pg";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll } from "vitest";
import { withDatabase } from "../../src/config/database.ts";
import { createPrisma, type PrismaClient } from "../../src/store/prisma.ts";
import { admin, redisUrl, serverUrl, TEMPLATE_ENV, testDatabaseName } from "./servers.ts";

export interface TestDatabase {
  name: string;
  url: string;
  prisma: PrismaClient;
  /** a plain pg client for assertions in SQL */
  sql: pg.Pool;
}

/** A fresh migrated database, dropped by `drop()` (for one test: see createTestDatabase for a file). */
export async function openTestDatabase(): Promise<TestDatabase & { drop(): Promise<void> }> {
  const template = process.env[TEMPLATE_ENV];
  if (!template) throw new Error(`${TEMPLATE_ENV} is not set: run the tests through vitest (test/helpers/global-setup.ts)`);
  const name = testDatabaseName(randomBytes(6).toString("hex"));
  for (let attempt = 0; ; attempt++) {
    try {
      await admin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
      break;
    } catch (e) {
      // two files cloning at the same instant: "source database is being accessed by other users"
      if ((e as { code?: string }).code !== "55006" || attempt > 20) throw e;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  const url = withDatabase(serverUrl, name);
  const prisma = createPrisma(url, { poolSize: 5, connectionTimeoutMs: 10_000, idleTimeoutMs: 10_000, statementTimeoutMs: 60_000 });
  const sql = new pg.Pool({ connectionString: url, max: 3 });
  const drop = async (): Promise<void> => {
    await prisma.$disconnect();
    await sql.end();
    await admin(async (c) => {
      // pools resolve end() before their sockets close: let those sessions finish, or FORCE
      // would kill them mid-goodbye and their clients report it as an uncaught error
      for (let i = 0; i < 200; i++) {
        const r = await c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1", [name]);
        if (r.rows[0].n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    });
  };
  return { name, url, prisma, sql, drop };
}

/** Creates a fresh migrated database for this test file (call at module top level). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const db = await openTestDatabase();
  afterAll(db.drop);
  return db;
}

export interface TestRedis {
  url: string;
  prefix: string;
  redis: Redis;
}

/** A Redis key prefix of its own; `clear()` deletes its keys and closes the connection. */
export function openTestRedis(): TestRedis & { clear(): Promise<void> } {
  const prefix = `mpsync-test:${randomBytes(6).toString("hex")}`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3, lazyConnect: false });
  const clear = async (): Promise<void> => {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
    redis.disconnect();
  };
  return { url: redisUrl, prefix, redis, clear };
}

/** A Redis key prefix of this file's own; its keys are deleted when the file ends. */
export function createTestRedis(): TestRedis {
  const r = openTestRedis();
  afterAll(r.clear);
  return r;
}
