// Bulk upsert of published_articles: one statement per batch; a row whose hash and
// deletion flag are unchanged is not touched (the WHERE of DO UPDATE). Inserted/updated
// counts come from the pre-read alone (select-stored-state.ts, sync/page-sink.ts).
import type { ArticleRow } from "../rows.ts";
import type { Tx } from "./tx.ts";

export async function upsertArticles(tx: Tx, accountId: number, runId: bigint, rows: ArticleRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO published_articles AS t
       (account_id, article_id, create_time, update_time, is_deleted, deleted_at, content_hash, seen_run_id, first_seen_at, last_seen_at)
     SELECT $1, u.k, u.ct, u.ut, u.d, CASE WHEN u.d THEN now() END, u.h, $2, now(), now()
       FROM unnest($3::text[], $4::timestamptz[], $5::timestamptz[], $6::bool[], $7::text[]) AS u(k, ct, ut, d, h)
     ON CONFLICT (account_id, article_id) DO UPDATE SET
       create_time = COALESCE(EXCLUDED.create_time, t.create_time),
       update_time = EXCLUDED.update_time,
       is_deleted = EXCLUDED.is_deleted,
       deleted_at = CASE WHEN EXCLUDED.is_deleted THEN COALESCE(t.deleted_at, now()) END,
       content_hash = EXCLUDED.content_hash,
       seen_run_id = EXCLUDED.seen_run_id,
       last_seen_at = now()
     WHERE t.content_hash IS DISTINCT FROM EXCLUDED.content_hash OR t.is_deleted IS DISTINCT FROM EXCLUDED.is_deleted`,
    accountId,
    runId,
    rows.map((r) => r.articleId),
    rows.map((r) => r.createTime),
    rows.map((r) => r.updateTime),
    rows.map((r) => r.isDeleted),
    rows.map((r) => r.contentHash),
  );
}
