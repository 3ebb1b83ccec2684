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
const reportSelect = Object.entries({ ...REPORT_COLUMNS, ...RUN_COUNTER_COLUMNS })
  .map(([field, column]) => `r.${column} AS "${field}"`)
  .join(", ");

/**
 * Per (account, source) of these accounts the newest run and the newest succeeded one, in one
 * statement whatever the number of accounts: the (account, source) pairs are found by a skip
 * scan of the (account_id, source, started_at) index (one probe per pair, not a read of the
 * whole history), then each pair's newest row is one index probe. Ties on started_at go to the
 * later row.
 */
const LAST_RUNS_SQL = `
  WITH RECURSIVE acc AS (
    SELECT id, app_id FROM accounts WHERE app_id = ANY($1::text[])
  ), pairs AS (
    SELECT acc.id AS account_id, (SELECT min(s.source) FROM sync_runs s WHERE s.account_id = acc.id) AS source FROM acc
    UNION ALL
    SELECT p.account_id, (SELECT min(s.source) FROM sync_runs s WHERE s.account_id = p.account_id AND s.source > p.source)
      FROM pairs p WHERE p.source IS NOT NULL
  )
  SELECT acc.app_id AS "appId", k.succeeded, ${reportSelect}
    FROM pairs p
    JOIN acc ON acc.id = p.account_id
    CROSS JOIN (VALUES (false), (true)) AS k(succeeded)
    CROSS JOIN LATERAL (
      SELECT * FROM sync_runs s
       WHERE s.account_id = p.account_id AND s.source = p.source AND (NOT k.succeeded OR s.status = 'succeeded')
       ORDER BY s.started_at DESC, s.id DESC LIMIT 1
    ) r
   WHERE p.source IS NOT NULL`;

/** Keyed by `${appId}|${source}`; a (account, source) that never ran is absent. Two statements, whatever the number of accounts. */
export async function lastRuns(prisma: PrismaClient, appIds: string[]): Promise<Map<string, LastRuns>> {
  const out = new Map<string, LastRuns>();
  if (appIds.length === 0) return out;
  const rows = await prisma.$queryRawUnsafe<(ReportRow & { appId: string; succeeded: boolean })[]>(LAST_RUNS_SQL, appIds);
  const walks = await walksOf(prisma, rows);
  for (const { appId, succeeded, ...r } of rows) {
    const k = `${appId}|${r.source}`;
    const entry = out.get(k) ?? { last: null, lastSucceeded: null };
    if (succeeded) entry.lastSucceeded = record(r, appId, walks);
    else entry.last = record(r, appId, walks);
    out.set(k, entry);
  }
  return out;
}
