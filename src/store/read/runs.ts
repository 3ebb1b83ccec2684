// sync_runs as the reports need them: the most recent runs, and per (account, source)
// the newest run and the newest successful one.
import type { PrismaClient } from "../prisma.ts";
import { RUN_COUNTER_COLUMNS, type RunCounters } from "../run-counters.ts";
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
/** A row as the reports use it: no checkpoint, heartbeat or account id. */
type ReportRow = Omit<RunRow, "accountId" | "checkpoint" | "heartbeatAt">;

type Walks = Map<bigint, WalkRecord>;

function record(r: ReportRow, appId: string, walks: Walks): RunRecord {
  const { walkRunId, ...rest } = r;
  const first = walkRunId ?? r.id;
  const own = { firstRunId: first, runs: 1, startedAt: r.startedAt, counters: r };
  return { ...rest, appId, walk: walks.get(first) ?? own };
}

/** The walks of these rows, by first-row id. */
async function walksOf(prisma: PrismaClient, rows: ReportRow[]): Promise<Walks> {
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
  return rows.map(({ account, accountId: _a, checkpoint: _c, heartbeatAt: _h, ...r }) => record(r, account.appId, walks));
}

export interface LastRuns {
  last: RunRecord | null;
  lastSucceeded: RunRecord | null;
}

// The ReportRow columns under their Prisma field names, so raw rows and findMany rows share record().
const REPORT_COLUMNS: Record<Exclude<keyof ReportRow, keyof RunCounters>, string> = {
  id: "id",
  source: "source",
  mode: "mode",
  trigger: "trigger",
  status: "status",
  startedAt: "started_at",
  finishedAt: "finished_at",
  errorCode: "error_code",
  errorMessage: "error_message",
  consistencyNote: "consistency_note",
  deletionsHeld: "deletions_held",
  pausedReason: "paused_reason",
  resumeAt: "resume_at",
  jobId: "job_id",
  walkRunId: "walk_run_id",
};
const reportSelect = (table: string): string =>
  Object.entries({ ...REPORT_COLUMNS, ...RUN_COUNTER_COLUMNS })
    .map(([field, column]) => `${table}.${column} AS "${field}"`)
    .join(", ");

/**
 * Per (account, source) of these accounts the newest run, and the newest succeeded one when the
 * newest did not succeed, in one statement whatever the number of accounts: the (account,
 * source) pairs are found by a skip scan of the (account_id, source, started_at) index (one probe
 * per pair, not a read of the whole history), then each row is one probe of that index.
 */
const LAST_RUNS_SQL = `
  WITH RECURSIVE pairs AS (
    SELECT a.id AS account_id, a.app_id, (SELECT min(s.source) FROM sync_runs s WHERE s.account_id = a.id) AS source
      FROM accounts a JOIN unnest($1::text[]) AS q(app_id) ON q.app_id = a.app_id
    UNION ALL
    SELECT p.account_id, p.app_id, (SELECT min(s.source) FROM sync_runs s WHERE s.account_id = p.account_id AND s.source > p.source)
      FROM pairs p WHERE p.source IS NOT NULL
  ), last AS (
    SELECT p.app_id, r.* FROM pairs p CROSS JOIN LATERAL (
      SELECT * FROM sync_runs s WHERE s.account_id = p.account_id AND s.source = p.source ORDER BY s.started_at DESC LIMIT 1
    ) r
     WHERE p.source IS NOT NULL
  )
  SELECT true AS "isLast", l.app_id AS "appId", ${reportSelect("l")} FROM last l
  UNION ALL
  SELECT false, l.app_id, ${reportSelect("ok")} FROM last l CROSS JOIN LATERAL (
    SELECT * FROM sync_runs s
     WHERE l.status <> 'succeeded' AND s.account_id = l.account_id AND s.source = l.source AND s.status = 'succeeded'
     ORDER BY s.started_at DESC LIMIT 1
  ) ok`;

/** Keyed by `${appId}|${source}`; a (account, source) that never ran is absent. A fixed number of statements, whatever the number of accounts. */
export async function lastRuns(prisma: PrismaClient, appIds: string[]): Promise<Map<string, LastRuns>> {
  const out = new Map<string, LastRuns>();
  if (appIds.length === 0) return out;
  // the recursive pairs defeat the row estimates: the planner's cost then calls for JIT
  // compilation, which takes longer than the statement itself
  const [, rows] = await prisma.$transaction([
    prisma.$executeRawUnsafe(`SET LOCAL jit = off`),
    prisma.$queryRawUnsafe<(ReportRow & { appId: string; isLast: boolean })[]>(LAST_RUNS_SQL, appIds),
  ]);
  const walks = await walksOf(prisma, rows);
  for (const { appId, isLast, ...r } of rows) {
    const k = `${appId}|${r.source}`;
    const run = record(r, appId, walks);
    const entry = out.get(k) ?? { last: null, lastSucceeded: null };
    if (isLast) {
      entry.last = run;
      // a newest run that succeeded is also the newest success (no second row is read for it)
      if (r.status === "succeeded") entry.lastSucceeded = run;
    } else entry.lastSucceeded = run;
    out.set(k, entry);
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
