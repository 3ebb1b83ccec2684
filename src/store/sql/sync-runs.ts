// sync_runs: start (resuming an unfinished run's checkpoint), save progress, finish, fail.
import { RunNotRunningError } from "../errors.ts";
import type { Tx } from "./tx.ts";

export interface RunCountersRow {
  pages: number;
  apiCalls: number;
  itemsSeen: number;
  inserted: number;
  updated: number;
  unchanged: number;
  markedDeleted: number;
}

const COUNTER_COLUMNS = ["pages", "api_calls", "items_seen", "inserted", "updated", "unchanged", "marked_deleted"] as const;

/** "pages = $first, api_calls = $first+1, …": the SET list for counterValues() placed from parameter $first on. */
function countersSet(first: number): string {
  return COUNTER_COLUMNS.map((column, i) => `${column} = $${first + i}`).join(", ");
}

function counterValues(c: RunCountersRow): number[] {
  return [c.pages, c.apiCalls, c.itemsSeen, c.inserted, c.updated, c.unchanged, c.markedDeleted];
}

export interface StartedRun {
  runId: bigint;
  /** the checkpoint carried over from an interrupted run of the same account, source and mode */
  resumedFrom: { runId: bigint; checkpoint: unknown } | null;
}

/**
 * Inserts the run row. The caller holds the (account, source) lock, so any other row of
 * this source still marked running belongs to a process that died: it is closed as
 * failed, keeping its checkpoint so that a run of its mode resumes it. The newest
 * unfinished checkpoint of this mode moves to the new row.
 */
export async function startRun(tx: Tx, a: { accountId: number; source: string; mode: string; trigger: string }): Promise<StartedRun> {
  await tx.$executeRawUnsafe(
    `UPDATE sync_runs SET status = 'failed', finished_at = now(),
            error_message = COALESCE(error_message, 'interrupted: the process running it ended')
      WHERE account_id = $1 AND source = $2 AND status = 'running'`,
    a.accountId,
    a.source,
  );
  const prev = await tx.$queryRawUnsafe<{ id: bigint; checkpoint: unknown }[]>(
    `SELECT id, checkpoint FROM sync_runs
      WHERE account_id = $1 AND source = $2 AND mode = $3 AND status <> 'succeeded' AND checkpoint IS NOT NULL
      ORDER BY id DESC LIMIT 1`,
    a.accountId,
    a.source,
    a.mode,
  );
  const inserted = await tx.$queryRawUnsafe<{ id: bigint }[]>(
    `INSERT INTO sync_runs (account_id, source, mode, trigger, status, checkpoint, heartbeat_at)
     VALUES ($1, $2, $3, $4, 'running', $5::jsonb, now()) RETURNING id`,
    a.accountId,
    a.source,
    a.mode,
    a.trigger,
    prev[0] ? JSON.stringify(prev[0].checkpoint) : null,
  );
  const runId = inserted[0]!.id;
  if (prev[0]) {
    await tx.$executeRawUnsafe(
      `UPDATE sync_runs SET checkpoint = NULL, error_message = COALESCE(error_message, 'interrupted') || '; resumed by run ' || $2::text
        WHERE id = $1`,
      prev[0].id,
      runId.toString(),
    );
  }
  return { runId, resumedFrom: prev[0] ? { runId: prev[0].id, checkpoint: prev[0].checkpoint } : null };
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
 * The checkpoint is kept: the next run of this mode resumes from it. A run already
 * closed by another process keeps what that process wrote (e.g. "resumed by run N").
 */
export async function failRun(tx: Tx, runId: bigint, c: RunCountersRow, errorCode: number | null, errorMessage: string): Promise<void> {
  await tx.$executeRawUnsafe(
    `UPDATE sync_runs SET ${countersSet(4)}, status = 'failed', finished_at = now(), error_code = $2, error_message = $3
      WHERE id = $1 AND status = 'running'`,
    runId,
    errorCode,
    errorMessage,
    ...counterValues(c),
  );
}

/** A finished full walk makes any other unfinished checkpoint of this source obsolete. */
export async function dropCheckpoints(tx: Tx, accountId: number, source: string): Promise<void> {
  await tx.$executeRawUnsafe(
    `UPDATE sync_runs SET checkpoint = NULL WHERE account_id = $1 AND source = $2 AND status <> 'running' AND checkpoint IS NOT NULL`,
    accountId,
    source,
  );
}
