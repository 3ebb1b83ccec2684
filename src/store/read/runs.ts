// sync_runs as the reports need them: the most recent runs, and per (account, source)
// the newest run and the newest successful one.
import type { PrismaClient } from "../prisma.ts";
import type { RunCounters } from "../run-counters.ts";

export interface RunRecord extends RunCounters {
  id: bigint;
  appId: string;
  source: string;
  mode: string;
  trigger: string;
  status: string;
  startedAt: Date;
  finishedAt: Date | null;
  errorCode: number | null;
  errorMessage: string | null;
  consistencyNote: string | null;
}

type RunRow = Awaited<ReturnType<PrismaClient["syncRun"]["findMany"]>>[number];

function record(r: RunRow, appId: string): RunRecord {
  const { accountId: _accountId, checkpoint: _checkpoint, heartbeatAt: _heartbeatAt, ...rest } = r;
  return { ...rest, appId };
}

/** Newest first; narrowed to an account (app_id) and a source when given. */
export async function recentRuns(prisma: PrismaClient, q: { appId?: string; source?: string; limit: number }): Promise<RunRecord[]> {
  const rows = await prisma.syncRun.findMany({
    where: { ...(q.appId ? { account: { appId: q.appId } } : {}), ...(q.source ? { source: q.source } : {}) },
    orderBy: { id: "desc" },
    take: q.limit,
    include: { account: { select: { appId: true } } },
  });
  return rows.map(({ account, ...r }) => record(r, account.appId));
}

export interface LastRuns {
  last: RunRecord | null;
  lastSucceeded: RunRecord | null;
}

/** Keyed by `${appId}|${source}`; a (account, source) that never ran is absent. */
export async function lastRuns(prisma: PrismaClient, appIds: string[]): Promise<Map<string, LastRuns>> {
  const out = new Map<string, LastRuns>();
  const accounts = await prisma.account.findMany({ where: { appId: { in: appIds } }, select: { id: true, appId: true } });
  for (const a of accounts) {
    // DISTINCT ON through Prisma: one row per source, newest first (served by the (account_id, source, started_at) index)
    const newest = (status?: string) =>
      prisma.syncRun.findMany({ where: { accountId: a.id, ...(status ? { status } : {}) }, distinct: ["source"], orderBy: [{ source: "asc" }, { startedAt: "desc" }] });
    const [last, ok] = await Promise.all([newest(), newest("succeeded")]);
    for (const r of last) out.set(`${a.appId}|${r.source}`, { last: record(r, a.appId), lastSucceeded: null });
    for (const r of ok) {
      const k = `${a.appId}|${r.source}`;
      out.set(k, { last: out.get(k)?.last ?? null, lastSucceeded: record(r, a.appId) });
    }
  }
  return out;
}
