// sync_runs: start (resuming an unfinished run's checkpoint), save progress, finish, fail or
// interrupt; the succeeded run of a job; the totals of a walk resumed over several rows.
import { RunNotRunningError } from "../errors.ts";
import type { Tx } from "./tx.ts";
import { newestPageOfRun } from "./walk-pages.ts";
import { RUN_COUNTER_COLUMNS, RUN_COUNTER_FIELDS, type RunCounterField, type RunCounters } from "../run-counters.ts";

/** The counters a run row stores (one list for the engine, this SQL and the reports: run-counters.ts). */
export type RunCountersRow = RunCounters;

type CounterColumn = (typeof RUN_COUNTER_COLUMNS)[RunCounterField];
const COUNTER_COLUMNS: CounterColumn[] = RUN_COUNTER_FIELDS.map((f) => RUN_COUNTER_COLUMNS[f]);

/** "pages = $first, api_calls = $first+1, …": the SET list for counterValues() placed from parameter $first on. */
function countersSet(first: number): string {
  return COUNTER_COLUMNS.map((column, i) => `${column} = $${first + i}`).join(", ");
}

function counterValues(c: RunCountersRow): number[] {
  return RUN_COUNTER_FIELDS.map((f) => c[f]);
}

/** A run row's counters, from snake_case columns. */
function countersOf(r: Record<CounterColumn, number>): RunCountersRow {
  return Object.fromEntries(RUN_COUNTER_FIELDS.map((f) => [f, r[RUN_COUNTER_COLUMNS[f]]])) as RunCountersRow;
}

/**
 * How a run that ends takes what its newest page row (`p`, newestPageOfRun) committed: a
 * full walk writes its checkpoint and counters there with every batch and to the run row
 * at most once a second, so the run row may be behind. That page row is never older
 * than the run row's own checkpoint: the run row holds either the checkpoint carried over
 * at start (older than every page of this run) or a copy made with one of its pages.
 * Without a page row (incremental runs, a walk that wrote nothing yet) the counters come
 * from `fallback` and the checkpoint stays.
 */
function adoptNewestPage(fallback: (column: CounterColumn, i: number) => string): string {
  const counters = COUNTER_COLUMNS.map((column, i) => `${column} = COALESCE((p.counters->>'${column}')::int, ${fallback(column, i)})`);
  return [...counters, `checkpoint = COALESCE(p.checkpoint, r.checkpoint)`].join(", ");
}

/** The run row `r` (to update) joined to its newest page row `p`, for the run rows `where` selects (as `c`). */
const WITH_NEWEST_PAGE = (where: string): string => `FROM sync_runs c ${newestPageOfRun("c", "p")} WHERE c.id = r.id AND ${where}`;

export interface StartedRun {
  runId: bigint;
  /** the first row of the walk this run continues (runId itself for a fresh walk) */
  walkRunId: bigint;
  /** the checkpoint carried over from an interrupted run of the same account, source and mode */
  resumedFrom: { runId: bigint; checkpoint: unknown } | null;
}

/**
 * Inserts the run row. The caller holds the (account, source) lock, so any other row of
 * this source still marked running belongs to a process that ended (or lost the
 * database): it is closed as interrupted at its last heartbeat or committed page, with the
 * checkpoint and counters of its newest page row, so that a run of its mode resumes it. The newest unfinished checkpoint of this mode
 * moves to the new row, which joins that row's walk.
 */
export async function startRun(tx: Tx, a: { accountId: number; source: string; mode: string; trigger: string; jobId: string | null }): Promise<StartedRun> {
  // A page of a dead process may still be committing (it holds its run row): wait for it
  // here, so that the close below, a statement with a later snapshot, sees that page row.
  await tx.$queryRawUnsafe(`SELECT id FROM sync_runs WHERE account_id = $1 AND source = $2 AND status = 'running' FOR UPDATE`, a.accountId, a.source);
  await tx.$executeRawUnsafe(
    `UPDATE sync_runs r SET status = 'interrupted', ${adoptNewestPage((column) => `r.${column}`)},
            heartbeat_at = GREATEST(r.heartbeat_at, p.written_at),
            finished_at = COALESCE(GREATEST(r.heartbeat_at, p.written_at), r.started_at),
            error_message = COALESCE(r.error_message, 'process ended')
     ${WITH_NEWEST_PAGE("c.account_id = $1 AND c.source = $2 AND c.status = 'running'")}`,
    a.accountId,
    a.source,
  );
  const prev = await tx.$queryRawUnsafe<{ id: bigint; checkpoint: unknown; walk_run_id: bigint | null }[]>(
    `SELECT id, checkpoint, walk_run_id FROM sync_runs
      WHERE account_id = $1 AND source = $2 AND mode = $3 AND status <> 'succeeded' AND checkpoint IS NOT NULL
      ORDER BY id DESC LIMIT 1`,
    a.accountId,
    a.source,
    a.mode,
  );
  const from = prev[0];
  // the id is drawn first so a fresh walk's walk_run_id (its own id) is set by the insert itself
  const inserted = await tx.$queryRawUnsafe<{ id: bigint; walk_run_id: bigint }[]>(
    `INSERT INTO sync_runs (id, account_id, source, mode, trigger, status, checkpoint, heartbeat_at, job_id, walk_run_id)
     SELECT n, $1, $2, $3, $4, 'running', $5::jsonb, now(), $6, COALESCE($7::bigint, n) FROM nextval(pg_get_serial_sequence('sync_runs', 'id')) AS n
     RETURNING id, walk_run_id`,
    a.accountId,
    a.source,
    a.mode,
    a.trigger,
    from ? JSON.stringify(from.checkpoint) : null,
    a.jobId,
    from ? (from.walk_run_id ?? from.id) : null,
  );
  const { id: runId, walk_run_id: walkRunId } = inserted[0]!;
  if (from) {
    await tx.$executeRawUnsafe(
      `UPDATE sync_runs SET checkpoint = NULL,
              error_message = COALESCE(error_message, CASE WHEN status = 'paused' THEN 'paused' ELSE 'interrupted' END) || '; resumed by run ' || $2::text
        WHERE id = $1`,
      from.id,
      runId.toString(),
    );
  }
  return { runId, walkRunId, resumedFrom: from ? { runId: from.id, checkpoint: from.checkpoint } : null };
}

/**
 * Locks the run's row for the rest of the transaction and refuses (RunNotRunningError)
 * when the run is no longer running: every write of a run starts with it, so nothing of
 * a run lands once another process (or its own failure path) has closed it.
 */
export async function lockRunningRun(tx: Tx, runId: bigint): Promise<void> {
  const rows = await tx.$queryRawUnsafe<{ status: string }[]>(`SELECT status FROM sync_runs WHERE id = $1 FOR UPDATE`, runId);
  const status = rows[0]?.status ?? null;
  if (status !== "running") throw new RunNotRunningError(runId, status);
}

/** Call after lockRunningRun in the same transaction. */
export async function saveProgress(tx: Tx, runId: bigint, checkpoint: unknown, c: RunCountersRow): Promise<void> {
  await tx.$executeRawUnsafe(
    `UPDATE sync_runs SET ${countersSet(3)}, checkpoint = $2::jsonb, heartbeat_at = now() WHERE id = $1`,
    runId,
    JSON.stringify(checkpoint),
    ...counterValues(c),
  );
}

/** Call after lockRunningRun in the same transaction. */
export async function finishRun(tx: Tx, runId: bigint, c: RunCountersRow, consistencyNote: string | null, deletionsHeld = 0): Promise<void> {
  await tx.$executeRawUnsafe(
    `UPDATE sync_runs SET ${countersSet(4)}, status = 'succeeded', finished_at = now(), checkpoint = NULL,
            consistency_note = $2, deletions_held = $3, heartbeat_at = now() WHERE id = $1`,
    runId,
    consistencyNote,
    deletionsHeld,
    ...counterValues(c),
  );
}

/**
 * The checkpoint is kept: the next run of this mode resumes from it. `interrupted` is a
 * stop on request (shutdown), `failed` anything else. A run already closed by another
 * process keeps what that process wrote (e.g. "resumed by run N").
 */
export async function failRun(
  tx: Tx,
  runId: bigint,
  c: RunCountersRow,
  end: { status: "failed" | "interrupted"; errorCode: number | null; errorMessage: string },
): Promise<void> {
  await tx.$executeRawUnsafe(
    `UPDATE sync_runs r SET ${adoptNewestPage((_, i) => `$${5 + i}`)}, status = $4, finished_at = now(), heartbeat_at = now(), error_code = $2, error_message = $3
     ${WITH_NEWEST_PAGE("c.id = $1 AND c.status = 'running'")}`,
    runId,
    end.errorCode,
    end.errorMessage,
    end.status,
    ...counterValues(c),
  );
}

/** The id of a succeeded run asked for by this job, if any: a redelivered job must not run it again. */
export interface SucceededRun {
  runId: bigint;
  walkRunId: bigint;
  consistencyNote: string | null;
  deletionsHeld: number;
}

export async function succeededRunOfJob(tx: Tx, accountId: number, source: string, jobId: string): Promise<SucceededRun | null> {
  const rows = await tx.$queryRawUnsafe<{ id: bigint; walk_run_id: bigint | null; consistency_note: string | null; deletions_held: number }[]>(
    `SELECT id, walk_run_id, consistency_note, deletions_held FROM sync_runs WHERE account_id = $1 AND source = $2 AND job_id = $3 AND status = 'succeeded' ORDER BY id DESC LIMIT 1`,
    accountId,
    source,
    jobId,
  );
  const r = rows[0];
  return r ? { runId: r.id, walkRunId: r.walk_run_id ?? r.id, consistencyNote: r.consistency_note, deletionsHeld: r.deletions_held } : null;
}

export interface WalkTotals {
  /** rows the walk took (1 when it was never interrupted) */
  runs: number;
  counters: RunCountersRow;
  /** the first row's start */
  startedAt: Date;
}

/**
 * Counters summed over the rows of one walk (a run resumed after interruptions spans several).
 * The walk is COALESCE(walk_run_id, id) (rows older than walk_run_id have none), matched as two
 * plain column conditions so the walk_run_id index and the primary key serve it, not a full scan.
 */
export async function walkTotals(tx: Tx, walkRunIds: bigint[]): Promise<Map<bigint, WalkTotals>> {
  const out = new Map<bigint, WalkTotals>();
  if (walkRunIds.length === 0) return out;
  const sums = COUNTER_COLUMNS.map((c) => `sum(${c})::int AS ${c}`).join(", ");
  const rows = await tx.$queryRawUnsafe<(Record<CounterColumn, number> & { walk: bigint; runs: number; started_at: Date })[]>(
    `SELECT COALESCE(walk_run_id, id) AS walk, count(*)::int AS runs, min(started_at) AS started_at, ${sums}
       FROM sync_runs WHERE walk_run_id = ANY($1::bigint[]) OR (walk_run_id IS NULL AND id = ANY($1::bigint[])) GROUP BY 1`,
    walkRunIds,
  );
  for (const r of rows) out.set(BigInt(r.walk), { runs: r.runs, startedAt: r.started_at, counters: countersOf(r) });
  return out;
}

/** A finished full walk makes any other unfinished checkpoint of this source obsolete. */
export async function dropCheckpoints(tx: Tx, accountId: number, source: string): Promise<void> {
  await tx.$executeRawUnsafe(
    `UPDATE sync_runs SET checkpoint = NULL WHERE account_id = $1 AND source = $2 AND status <> 'running' AND checkpoint IS NOT NULL`,
    accountId,
    source,
  );
}

/**
 * Stopped by the daily quota: the checkpoint is kept and the next run of this mode resumes
 * it. Like failRun, a no-op for a run another process already closed.
 */
export async function pauseRun(tx: Tx, runId: bigint, c: RunCountersRow, reason: string, resumeAt: Date): Promise<void> {
  await tx.$executeRawUnsafe(
    `UPDATE sync_runs r SET ${adoptNewestPage((_, i) => `$${4 + i}`)}, status = 'paused', finished_at = now(), paused_reason = $2, resume_at = $3
     ${WITH_NEWEST_PAGE("c.id = $1 AND c.status = 'running'")}`,
    runId,
    reason,
    resumeAt,
    ...counterValues(c),
  );
}
