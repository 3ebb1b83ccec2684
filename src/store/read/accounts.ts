// Account rows as the reports and the read API's `account` filter need them.
import type { PrismaClient } from "../prisma.ts";

/** accounts.id of a synced app_id, or null when no run has created its row yet. */
export async function accountIdOf(prisma: PrismaClient, appId: string): Promise<number | null> {
  const row = await prisma.account.findUnique({ where: { appId }, select: { id: true } });
  return row?.id ?? null;
}

export interface AccountState {
  appId: string;
  throttledUntil: Date | null;
  lastErrorCode: number | null;
  lastErrorAt: Date | null;
  lastErrorMessage: string | null;
}

/** Stored state of these accounts (absent for an account that never synced). */
export async function accountStates(prisma: PrismaClient, appIds: string[]): Promise<Map<string, AccountState>> {
  const rows = await prisma.account.findMany({
    where: { appId: { in: appIds } },
    select: { appId: true, throttledUntil: true, lastErrorCode: true, lastErrorAt: true, lastErrorMessage: true },
  });
  return new Map(rows.map((a) => [a.appId, a]));
}
