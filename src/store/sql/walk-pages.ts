// A full walk's page rows (sync_walk_pages): one per committed batch, written in the
// batch's transaction with the keys it saw, the checkpoint and the run's counters, so
// absence marking and resumption survive a crash. Slots are (account, source, seq); the
// next walk of the source overwrites them in place, so nothing is ever deleted and a
// slot of another walk_id is stale (ignored).
import { countersByColumn, type RunCounters } from "../run-counters.ts";
import type { Tx } from "./tx.ts";

export interface WalkPage {
  accountId: number;
  source: string;
  walkId: bigint;
  /** ordinal of this write in the walk, from 1 (across its resumed runs) */
  seq: number;
  runId: bigint;
  /** keys of the batch that earlier writes of the walk had not */
  keys: string[];
  checkpoint: unknown;
  counters: RunCounters;
}

/** One row written (inserted, or a stale slot updated): the only bookkeeping row of a batch. */
export async function recordWalkPage(tx: Tx, p: WalkPage): Promise<void> {
  await tx.$executeRawUnsafe(
    `INSERT INTO sync_walk_pages (account_id, source, seq, walk_id, run_id, keys, checkpoint, counters, written_at)
     VALUES ($1, $2, $3, $4, $5, $6::text[], $7::jsonb, $8::jsonb, now())
     ON CONFLICT (account_id, source, seq) DO UPDATE
       SET walk_id = EXCLUDED.walk_id, run_id = EXCLUDED.run_id, keys = EXCLUDED.keys,
           checkpoint = EXCLUDED.checkpoint, counters = EXCLUDED.counters, written_at = EXCLUDED.written_at`,
    p.accountId,
    p.source,
    p.seq,
    p.walkId,
    p.runId,
    p.keys,
    JSON.stringify(p.checkpoint),
    JSON.stringify(countersByColumn(p.counters)),
  );
}

/** SQL of the keys the walk has seen, one row each (`k`), for the parameters' numbers given. */
export function walkKeysQuery(params: { accountId: number; source: number; walkId: number }): string {
  return `SELECT unnest(w.keys) AS k FROM sync_walk_pages w
           WHERE w.account_id = $${params.accountId} AND w.source = $${params.source} AND w.walk_id = $${params.walkId}`;
}

/** What a resumed walk has written so far: every key it saw and its last seq (0: nothing). */
export async function walkSoFar(tx: Tx, accountId: number, source: string, walkId: bigint): Promise<{ keys: string[]; lastSeq: number }> {
  const rows = await tx.$queryRawUnsafe<{ seq: number; keys: string[] | null }[]>(
    `SELECT seq, keys FROM sync_walk_pages WHERE account_id = $1 AND source = $2 AND walk_id = $3`,
    accountId,
    source,
    walkId,
  );
  return { keys: rows.flatMap((r) => r.keys ?? []), lastSeq: rows.reduce((m, r) => Math.max(m, r.seq), 0) };
}

/**
 * A lateral join giving, as `alias`, the newest page row (highest seq) of the run `run`
 * (a sync_runs alias): its checkpoint, counters (by column name) and written_at. Slots
 * rewritten by a later walk carry that walk's run id, so they never match.
 */
export function newestPageOfRun(run: string, alias: string): string {
  return `LEFT JOIN LATERAL (
      SELECT w.checkpoint, w.counters, w.written_at FROM sync_walk_pages w
       WHERE w.account_id = ${run}.account_id AND w.source = ${run}.source AND w.run_id = ${run}.id
       ORDER BY w.seq DESC LIMIT 1) ${alias} ON true`;
}
