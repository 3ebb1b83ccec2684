// The query surface shared by the SQL files: a Prisma client or an interactive transaction.
import type { PrismaClient } from "../prisma.ts";

export type Tx = Pick<PrismaClient, "$queryRawUnsafe" | "$executeRawUnsafe">;
