// After a complete, consistent full walk: live rows of the source that the walk did not
// see are marked deleted, with their news items. Rows are never removed.
import type { StoreSource } from "../rows.ts";
import type { Tx } from "./tx.ts";

export async function markAbsentDeleted(tx: Tx, accountId: number, runId: bigint, walkId: bigint, source: StoreSource): Promise<number> {
  if (source.kind === "published") {
    const gone = await tx.$queryRawUnsafe<{ k: string }[]>(
      `UPDATE published_articles AS t SET is_deleted = true, deleted_at = now(), seen_run_id = $2
        WHERE t.account_id = $1 AND NOT t.is_deleted
          AND NOT EXISTS (SELECT 1 FROM sync_seen_keys s WHERE s.walk_id = $3 AND s.item_key = t.article_id)
        RETURNING t.article_id AS k`,
      accountId,
      runId,
      walkId,
    );
    if (gone.length > 0) {
      await tx.$executeRawUnsafe(
        `UPDATE published_news_items SET is_deleted = true, deleted_at = now(), updated_at = now()
          WHERE account_id = $1 AND article_id = ANY($2::text[]) AND NOT is_deleted`,
        accountId,
        gone.map((g) => g.k),
      );
    }
    return gone.length;
  }
  const gone = await tx.$queryRawUnsafe<{ k: string }[]>(
    `UPDATE materials AS t SET is_deleted = true, deleted_at = now(), seen_run_id = $2
      WHERE t.account_id = $1 AND t.type = $4 AND NOT t.is_deleted
        AND NOT EXISTS (SELECT 1 FROM sync_seen_keys s WHERE s.walk_id = $3 AND s.item_key = t.media_id)
      RETURNING t.media_id AS k`,
    accountId,
    runId,
    walkId,
    source.type,
  );
  if (gone.length > 0) {
    await tx.$executeRawUnsafe(
      `UPDATE material_news_items SET is_deleted = true, deleted_at = now(), updated_at = now()
        WHERE account_id = $1 AND media_id = ANY($2::text[]) AND NOT is_deleted`,
      accountId,
      gone.map((g) => g.k),
    );
  }
  return gone.length;
}
