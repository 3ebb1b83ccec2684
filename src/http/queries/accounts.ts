// app_id → accounts.id for the read API's `account` filter.
import type { PrismaClient } from "../../store/prisma.ts";
import { InvalidParameterError } from "../errors.ts";

export async function accountIdOf(prisma: PrismaClient, appId: string | undefined): Promise<number | undefined> {
  if (appId === undefined) return undefined;
  const row = await prisma.account.findUnique({ where: { appId }, select: { id: true } });
  if (!row) throw new InvalidParameterError("account", `no synced account has app_id ${appId}`);
  return row.id;
}

export async function appIdsById(prisma: PrismaClient): Promise<Map<number, string>> {
  const rows = await prisma.account.findMany({ select: { id: true, appId: true } });
  return new Map(rows.map((r) => [r.id, r.appId]));
}
