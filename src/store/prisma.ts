// The Prisma client on @prisma/adapter-pg with explicit pool limits: Prisma 7's
// defaults wait forever for a connection, which turns a dead database into a hang.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client.ts";

export type { PrismaClient };

export interface PoolSettings {
  poolSize: number;
  connectionTimeoutMs: number;
  idleTimeoutMs: number;
  statementTimeoutMs: number;
}

export const DEFAULT_POOL: PoolSettings = { poolSize: 10, connectionTimeoutMs: 10_000, idleTimeoutMs: 30_000, statementTimeoutMs: 60_000 };

export function createPrisma(databaseUrl: string, pool: PoolSettings = DEFAULT_POOL): PrismaClient {
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
