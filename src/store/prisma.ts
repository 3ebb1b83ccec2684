// The Prisma client on @prisma/adapter-pg with explicit pool limits: Prisma 7's
// defaults wait forever for a connection, which turns a dead database into a hang.
// The pg pool is ours and handed to the adapter, so the sync's page writes can use the
// same pool directly (pg-transaction.ts): one set of connections, one set of limits.
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import type { DbPoolSettings } from "../config/defaults.ts";
import { PrismaClient } from "./generated/prisma/client.ts";

export type { PrismaClient };

const pools = new WeakMap<PrismaClient, pg.Pool>();

/** `pool` is AppConfig.db (DATABASE_POOL_SIZE, DATABASE_*_TIMEOUT_MS). */
export function createPrisma(databaseUrl: string, pool: DbPoolSettings): PrismaClient {
  const pgPool = new pg.Pool({
    connectionString: databaseUrl,
    max: pool.poolSize,
    connectionTimeoutMillis: pool.connectionTimeoutMs,
    idleTimeoutMillis: pool.idleTimeoutMs,
    statement_timeout: pool.statementTimeoutMs || undefined,
    application_name: "mpsync",
  });
  // $disconnect ends the pool
  const prisma = new PrismaClient({ adapter: new PrismaPg(pgPool, { disposeExternalPool: true }) });
  pools.set(prisma, pgPool);
  return prisma;
}

/** The pg pool under a client made by createPrisma (the only way this project makes one). */
export function pgPoolOf(prisma: PrismaClient): pg.Pool {
  const pool = pools.get(prisma);
  if (!pool) throw new Error("a Prisma client not made by createPrisma has no pg pool of ours");
  return pool;
}
