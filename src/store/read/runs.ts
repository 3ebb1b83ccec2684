// sync_runs as the reports need them: the most recent runs, and per (account, source)
// the newest run and the newest successful one.
import type { PrismaClient } from "../prisma.ts";
import type { RunCounters } from "../run-counters.ts";
import { walkTotals } from "../sql/sync-runs.ts";

/** The rows of one walk summed (a run resumed after interruptions spans several rows). */
export interface WalkRecord {
  /** id of the walk's first row */
  firstRunId: bigint;
  runs: number;
  startedAt: Date;
  counters: RunCounters;
}

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
  deletionsHeld: number;
  /** the BullMQ job that asked for the run (null inline) */
  jobId: string | null;
  walk: WalkRecord;
  /** paused runs: why (the quota), and when they resume */
  pausedReason: string | null;
  resumeAt: Date | null;
}

type RunRow = Awaited<ReturnType<PrismaClient["syncRun"]["findMany"]>>[number];

type Walks = Map<bigint, WalkRecord>;

function record(r: RunRow, appId: string, walks: Walks): RunRecord {
  const { accountId: _accountId, checkpoint: _checkpoint, heartbeatAt: _heartbeatAt, walkRunId, ...rest } = r;
  const first = walkRunId ?? r.id;
  const own = { firstRunId: first, runs: 1, startedAt: r.startedAt, counters: r };
  return { ...rest, appId, walk: walks.get(first) ?? own };
}

/** The walks of these rows, by first-row id. */
async function walksOf(prisma: PrismaClient, rows: RunRow[]): Promise<Walks> {
  const totals = await walkTotals(prisma, [...new Set(rows.map((r) => r.walkRunId ?? r.id))]);
  return new Map([...totals].map(([id, t]) => [id, { firstRunId: id, runs: t.runs, startedAt: t.startedAt, counters: t.counters }]));
}

/** Newest first; narrowed to an account (app_id) and a source when given. */
export async function recentRuns(prisma: PrismaClient, q: { appId?: string; source?: string; limit: number }): Promise<RunRecord[]> {
  const rows = await prisma.syncRun.findMany({
    where: { ...(q.appId ? { account: { appId: q.appId } } : {}), ...(q.source ? { source: q.source } : {}) },
    orderBy: { id: "desc" },
    take: q.limit,
    include: { account: { select: { appId: true } } },
  });
  const walks = await walksOf(prisma, rows);
  return rows.map(({ account, ...r }) => record(r, account.appId, walks));
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
    const walks = await walksOf(prisma, [...last, ...ok]);
    for (const r of last) out.set(`${a.appId}|${r.source}`, { last: record(r, a.appId, walks), lastSucceeded: null });
    for (const r of ok) {
      const k = `${a.appId}|${r.source}`;
      out.set(k, { last: out.get(k)?.last ?? null, lastSucceeded: record(r, a.appId, walks) });
    }
  }
  return out;
}

export interface RunFilter {
  appId?: string;
  source?: string;
  status?: string;
  /** keyset paging: only runs with a smaller id (older) */
  beforeId?: bigint;
  limit: number;
}

/** A page of runs, newest first; `more` tells whether older ones follow (the console's runs list). */
export async function listRuns(prisma: PrismaClient, f: RunFilter): Promise<{ rows: RunRecord[]; more: boolean }> {
  const rows = await prisma.syncRun.findMany({
    where: {
      ...(f.appId ? { account: { appId: f.appId } } : {}),
      ...(f.source ? { source: f.source } : {}),
      ...(f.status ? { status: f.status } : {}),
      ...(f.beforeId !== undefined ? { id: { lt: f.beforeId } } : {}),
    },
    orderBy: { id: "desc" },
    take: f.limit + 1,
    include: { account: { select: { appId: true } } },
  });
  const page = rows.slice(0, f.limit);
  const walks = await walksOf(prisma, page);
  return { rows: page.map(({ account, ...r }) => record(r, account.appId, walks)), more: rows.length > f.limit };
}

export async function getRun(prisma: PrismaClient, id: bigint): Promise<RunRecord | null> {
  const r = await prisma.syncRun.findUnique({ where: { id }, include: { account: { select: { appId: true } } } });
  if (!r) return null;
  const { account, ...rest } = r;
  return record(rest, account.appId, await walksOf(prisma, [rest]));
}
