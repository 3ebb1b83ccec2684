// What a walk would store as an article's times, for an article written from
// freepublish/getarticle: that answer and the list disagree on which times they carry
// (the list may carry no create_time; getarticle's documented answer carries none at all),
// and the times are part of the row's hash. Reads the stored row's times and whether the
// account's list carries create_time (its newest stored article has one).
import type { Tx } from "./tx.ts";

export interface StoredArticleTimes {
  /** the stored row's times; null when the article is not stored */
  stored: { createTime: Date | null; updateTime: Date | null } | null;
  /** the newest stored article of the account has a create_time; null: nothing stored yet */
  listHasCreateTime: boolean | null;
}

export async function selectArticleTimes(tx: Tx, accountId: number, articleId: string): Promise<StoredArticleTimes> {
  const rows = await tx.$queryRawUnsafe<{ kind: string; create_time: Date | null; update_time: Date | null }[]>(
    `(SELECT 'row' AS kind, create_time, update_time FROM published_articles WHERE account_id = $1 AND article_id = $2)
     UNION ALL
     (SELECT 'newest', create_time, update_time FROM published_articles WHERE account_id = $1 AND article_id <> $2 ORDER BY id DESC LIMIT 1)`,
    accountId,
    articleId,
  );
  const row = rows.find((r) => r.kind === "row");
  const newest = rows.find((r) => r.kind === "newest");
  return {
    stored: row ? { createTime: row.create_time, updateTime: row.update_time } : null,
    listHasCreateTime: newest ? newest.create_time !== null : null,
  };
}
