// held_deletions: the rows the deletion circuit breaker kept from being marked deleted,
// per (account, source). Written when a full run finishes, shrunk by every walk that sees
// a held row again, emptied by the next consistent full walk or by `mpsync deletions apply`.
import type { Tx } from "./tx.ts";

/** The held keys of a source, locked until the transaction ends (a finishing walk and an operator's apply do not interleave). */
export async function lockHeldKeys(tx: Tx, accountId: number, source: string): Promise<string[]> {
  const rows = await tx.$queryRawUnsafe<{ k: string }[]>(
    `SELECT item_key AS k FROM held_deletions WHERE account_id = $1 AND source = $2 FOR UPDATE`,
    accountId,
    source,
  );
  return rows.map((r) => r.k);
}

/** The source's held set becomes exactly `keys`, held by `runId`. */
export async function replaceHeld(tx: Tx, accountId: number, source: string, runId: bigint, keys: string[]): Promise<void> {
  await tx.$executeRawUnsafe(`DELETE FROM held_deletions WHERE account_id = $1 AND source = $2`, accountId, source);
  if (keys.length === 0) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO held_deletions (account_id, source, item_key, run_id) SELECT $1, $2, k, $3 FROM unnest($4::text[]) AS k`,
    accountId,
    source,
    runId,
    keys,
  );
}

/** A walk saw these rows: they are present, so no longer held for deletion. */
export async function releaseHeld(tx: Tx, accountId: number, source: string, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await tx.$executeRawUnsafe(`DELETE FROM held_deletions WHERE account_id = $1 AND source = $2 AND item_key = ANY($3::text[])`, accountId, source, keys);
}

/** Removes and returns the source's held keys (the operator applies them). */
export async function takeHeld(tx: Tx, accountId: number, source: string): Promise<string[]> {
  const rows = await tx.$queryRawUnsafe<{ k: string }[]>(
    `DELETE FROM held_deletions WHERE account_id = $1 AND source = $2 RETURNING item_key AS k`,
    accountId,
    source,
  );
  return rows.map((r) => r.k);
}

export async function heldCount(tx: Tx, accountId: number, source: string): Promise<number> {
  const rows = await tx.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM held_deletions WHERE account_id = $1 AND source = $2`, accountId, source);
  return rows[0]?.n ?? 0;
}

export interface HeldSummary {
  accountId: number;
  appId: string;
  source: string;
  held: number;
  /** the full run that held them (the newest, if several) */
  runId: bigint;
  heldSince: Date;
}

/** Held deletions per (account, source), for `mpsync deletions status`, `mpsync status` and the metrics gauge. */
export async function heldSummary(tx: Tx, filter: { appIds?: string[]; source?: string } = {}): Promise<HeldSummary[]> {
  const rows = await tx.$queryRawUnsafe<{ account_id: number; app_id: string; source: string; held: number; run_id: bigint; held_since: Date }[]>(
    `SELECT a.id AS account_id, a.app_id, h.source, count(*)::int AS held, max(h.run_id) AS run_id, min(h.held_at) AS held_since
       FROM held_deletions h JOIN accounts a ON a.id = h.account_id
      WHERE ($1::text[] IS NULL OR a.app_id = ANY($1::text[])) AND ($2::text IS NULL OR h.source = $2)
      GROUP BY a.id, a.app_id, h.source ORDER BY a.app_id, h.source`,
    filter.appIds ?? null,
    filter.source ?? null,
  );
  return rows.map((r) => ({ accountId: r.account_id, appId: r.app_id, source: r.source, held: r.held, runId: r.run_id, heldSince: r.held_since }));
}
