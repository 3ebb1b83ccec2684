// The Prisma client on @prisma/adapter-pg with explicit pool limits: Prisma 7's
// defaults wait forever for a connection, which turns a dead database into a hang.
import { PrismaPg } from "@prisma/adapter-pg";
import type { DbPoolSettings } from "../config/defaults.ts";
import { PrismaClient } from "./generated/prisma/client.ts";

export type { PrismaClient };

/** `pool` is AppConfig.db (DATABASE_POOL_SIZE, DATABASE_*_TIMEOUT_MS). */
export function createPrisma(databaseUrl: string, pool: DbPoolSettings): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: pool.poolSize,
    connectionTimeoutMillis: pool.connectionTimeoutMs,
    idleTimeoutMillis: pool.idleTimeoutMs,
    statement_timeout: pool.statementTimeoutMs || undefined,
    application_name: "mpsync",
  });
  return new PrismaClient({ adapter });
}
