// Deletion by absence, in steps the deletion circuit breaker can sit between: which live
// rows of the source a full walk did not see, how many live rows there are, and marking
// chosen rows deleted with their news items. Rows are never removed.
import type { StoreSource } from "../rows.ts";
import { ITEM_TABLES } from "./news-item-tables.ts";
import type { Tx } from "./tx.ts";
import { walkKeysQuery } from "./walk-pages.ts";

/** materials share one table: only this source's type is in scope ($n is the type's parameter) */
function scope(source: StoreSource, n: number): { filter: string; params: unknown[] } {
  return source.kind === "material" ? { filter: `AND t.type = $${n}`, params: [source.type] } : { filter: "", params: [] };
}

/**
 * Keys of the live rows of the source that the walk did not see. The walk's keys are
 * unnested once from its page rows and anti-joined (hashed), not searched row by row.
 */
export async function absentKeys(tx: Tx, accountId: number, walk: { sourceName: string; walkId: bigint }, source: StoreSource): Promise<string[]> {
  const { table, key } = ITEM_TABLES[source.kind];
  const s = scope(source, 4);
  const rows = await tx.$queryRawUnsafe<{ k: string }[]>(
    // EXCEPT is a hashed or sorted set difference whatever the statistics say; an anti-join
    // against the unnested keys became a nested loop on never-analyzed tables (a fresh
    // store's first full walk): 1 s for 12,000 images, quadratic in the source's size
    `SELECT t.${key} AS k FROM ${table} t
      WHERE t.account_id = $1 AND NOT t.is_deleted ${s.filter}
     EXCEPT
     ${walkKeysQuery({ accountId: 1, source: 2, walkId: 3 })}`,
    accountId,
    walk.sourceName,
    walk.walkId,
    ...s.params,
  );
  return rows.map((r) => r.k);
}

/** Live (not deleted) rows of the source. */
export async function liveRowCount(tx: Tx, accountId: number, source: StoreSource): Promise<number> {
  const { table } = ITEM_TABLES[source.kind];
  const s = scope(source, 2);
  const rows = await tx.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${table} t WHERE t.account_id = $1 AND NOT t.is_deleted ${s.filter}`, accountId, ...s.params);
  return rows[0]?.n ?? 0;
}

/**
 * Marks these rows of the source deleted (the live ones), with their news items; returns
 * the keys it marked (the change feed reports exactly those). `runId` becomes their
 * seen_run_id (null: left as it was).
 */
export async function markDeleted(tx: Tx, accountId: number, runId: bigint | null, source: StoreSource, keys: string[]): Promise<string[]> {
  if (keys.length === 0) return [];
  const { table, key, news } = ITEM_TABLES[source.kind];
  const s = scope(source, 4);
  const gone = await tx.$queryRawUnsafe<{ k: string }[]>(
    `UPDATE ${table} AS t SET is_deleted = true, deleted_at = now(), seen_run_id = COALESCE($2, t.seen_run_id)
      WHERE t.account_id = $1 AND t.${key} = ANY($3::text[]) AND NOT t.is_deleted ${s.filter}
      RETURNING t.${key} AS k`,
    accountId,
    runId,
    keys,
    ...s.params,
  );
  if (gone.length > 0) {
    await tx.$executeRawUnsafe(
      `UPDATE ${news.table} SET is_deleted = true, deleted_at = now(), updated_at = now()
        WHERE account_id = $1 AND ${news.key} = ANY($2::text[]) AND NOT is_deleted`,
      accountId,
      gone.map((g) => g.k),
    );
  }
  return gone.map((g) => g.k);
}
