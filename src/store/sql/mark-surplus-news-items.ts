// When an owner's news-item list got shorter, the positions past its end are marked
// deleted (rows are never removed).
import { NEWS_ITEM_TABLES, type NewsItemTable } from "./news-item-tables.ts";
import type { Tx } from "./tx.ts";

export async function markSurplusNewsItems(tx: Tx, which: NewsItemTable, accountId: number, owners: { owner: string; count: number }[]): Promise<number> {
  if (owners.length === 0) return 0;
  const { table, key } = NEWS_ITEM_TABLES[which];
  return tx.$executeRawUnsafe(
    `UPDATE ${table} AS t SET is_deleted = true, deleted_at = now(), updated_at = now()
       FROM unnest($2::text[], $3::int[]) AS u(k, n)
      WHERE t.account_id = $1 AND t.${key} = u.k AND t.idx >= u.n AND NOT t.is_deleted`,
    accountId,
    owners.map((o) => o.owner),
    owners.map((o) => o.count),
  );
}
