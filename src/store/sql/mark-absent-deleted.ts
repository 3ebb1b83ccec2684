// After a complete, consistent full walk: live rows of the source that the walk did not
// see are marked deleted, with their news items. Rows are never removed.
import type { StoreSource } from "../rows.ts";
import { ITEM_TABLES } from "./news-item-tables.ts";
import type { Tx } from "./tx.ts";

export async function markAbsentDeleted(tx: Tx, accountId: number, runId: bigint, walkId: bigint, source: StoreSource): Promise<number> {
  const { table, key, news } = ITEM_TABLES[source.kind];
  // materials share one table: only this source's type is in scope
  const typeFilter = source.kind === "material" ? "AND t.type = $4" : "";
  const params: unknown[] = [accountId, runId, walkId, ...(source.kind === "material" ? [source.type] : [])];
  const gone = await tx.$queryRawUnsafe<{ k: string }[]>(
    `UPDATE ${table} AS t SET is_deleted = true, deleted_at = now(), seen_run_id = $2
      WHERE t.account_id = $1 AND NOT t.is_deleted ${typeFilter}
        AND NOT EXISTS (SELECT 1 FROM sync_seen_keys s WHERE s.walk_id = $3 AND s.item_key = t.${key})
      RETURNING t.${key} AS k`,
    ...params,
  );
  if (gone.length > 0) {
    await tx.$executeRawUnsafe(
      `UPDATE ${news.table} SET is_deleted = true, deleted_at = now(), updated_at = now()
        WHERE account_id = $1 AND ${news.key} = ANY($2::text[]) AND NOT is_deleted`,
      accountId,
      gone.map((g) => g.k),
    );
  }
  return gone.length;
}
