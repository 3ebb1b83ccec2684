// sync_runs and account state as reported by /admin/runs, `mpsync status` and `mpsync accounts`
// (shared by the CLI and the HTTP layer, so it belongs to neither).
// Error messages come from typed errors built without secrets (src/wechat/, src/sync/).
import type { PrismaClient } from "../store/prisma.ts";

/** ISO 8601 or null: how every timestamp leaves mpsync (CLI JSON, admin API). */
export const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

type RunRow = Awaited<ReturnType<PrismaClient["syncRun"]["findMany"]>>[number];

export function runOut(r: RunRow, appId: string) {
  return {
    id: r.id.toString(),
    account: appId,
    source: r.source,
    mode: r.mode,
    trigger: r.trigger,
    status: r.status,
    started_at: iso(r.startedAt),
    finished_at: iso(r.finishedAt),
    pages: r.pages,
    api_calls: r.apiCalls,
    items_seen: r.itemsSeen,
    inserted: r.inserted,
    updated: r.updated,
    unchanged: r.unchanged,
    marked_deleted: r.markedDeleted,
    error_code: r.errorCode,
    error_message: r.errorMessage,
    consistency_note: r.consistencyNote,
  };
}
export type RunOut = ReturnType<typeof runOut>;

export async function recentRuns(prisma: PrismaClient, q: { account?: string; source?: string; limit: number }): Promise<RunOut[]> {
  const rows = await prisma.syncRun.findMany({
    where: { ...(q.account ? { account: { appId: q.account } } : {}), ...(q.source ? { source: q.source } : {}) },
    orderBy: { id: "desc" },
    take: q.limit,
    include: { account: { select: { appId: true } } },
  });
  return rows.map((r) => runOut(r, r.account.appId));
}

export interface AccountState {
  appId: string;
  throttledUntil: string | null;
  lastErrorCode: number | null;
  lastErrorAt: string | null;
  lastErrorMessage: string | null;
}

/** Stored state of these accounts (null for an account that never synced). */
export async function accountStates(prisma: PrismaClient, appIds: string[]): Promise<Map<string, AccountState>> {
  const rows = await prisma.account.findMany({ where: { appId: { in: appIds } } });
  return new Map(
    rows.map((a) => [
      a.appId,
      { appId: a.appId, throttledUntil: iso(a.throttledUntil), lastErrorCode: a.lastErrorCode, lastErrorAt: iso(a.lastErrorAt), lastErrorMessage: a.lastErrorMessage },
    ]),
  );
}

/** The newest run and the newest successful run of each (account, source). */
export async function lastRuns(prisma: PrismaClient, appIds: string[]): Promise<Map<string, { last: RunOut | null; lastSucceeded: RunOut | null }>> {
  const out = new Map<string, { last: RunOut | null; lastSucceeded: RunOut | null }>();
  const accounts = await prisma.account.findMany({ where: { appId: { in: appIds } }, select: { id: true, appId: true } });
  for (const a of accounts) {
    // DISTINCT ON through Prisma: one row per source, newest first (served by the (account_id, source, started_at) index)
    const [last, ok] = await Promise.all([
      prisma.syncRun.findMany({ where: { accountId: a.id }, distinct: ["source"], orderBy: [{ source: "asc" }, { startedAt: "desc" }] }),
      prisma.syncRun.findMany({ where: { accountId: a.id, status: "succeeded" }, distinct: ["source"], orderBy: [{ source: "asc" }, { startedAt: "desc" }] }),
    ]);
    for (const r of last) out.set(`${a.appId}|${r.source}`, { last: runOut(r, a.appId), lastSucceeded: null });
    for (const r of ok) {
      const k = `${a.appId}|${r.source}`;
      out.set(k, { last: out.get(k)?.last ?? null, lastSucceeded: runOut(r, a.appId) });
    }
  }
  return out;
}
