// What a feed shows: the live news items of an account's latest live articles, with their
// display HTML, newest first.
import type { Tx } from "../sql/tx.ts";

export interface FeedItemRecord {
  articleId: string;
  idx: number;
  title: string | null;
  author: string | null;
  digest: string | null;
  content: string | null;
  url: string | null;
  thumbUrl: string | null;
  createTime: Date | null;
  updateTime: Date | null;
}

export interface FeedRecords {
  /** null when the account never synced */
  accountName: string | null;
  known: boolean;
  items: FeedItemRecord[];
  /** when the account's articles last changed (a write, a deletion): Last-Modified */
  lastModified: Date | null;
}

export async function feedItems(tx: Tx, appId: string, articles: number): Promise<FeedRecords> {
  const acc = await tx.$queryRawUnsafe<{ id: number; name: string | null }[]>(`SELECT id, name FROM accounts WHERE app_id = $1`, appId);
  if (!acc[0]) return { accountName: null, known: false, items: [], lastModified: null };
  const accountId = acc[0].id;
  const items = await tx.$queryRawUnsafe<
    { article_id: string; idx: number; title: string | null; author: string | null; digest: string | null; content: string | null; url: string | null; thumb_url: string | null; create_time: Date | null; update_time: Date | null }[]
  >(
    `WITH latest AS (
       SELECT a.id, a.article_id, a.create_time, a.update_time FROM published_articles a
        WHERE a.account_id = $1 AND NOT a.is_deleted
        ORDER BY a.update_time DESC NULLS LAST, a.id DESC LIMIT $2)
     SELECT l.article_id, n.idx, n.title, n.author, n.digest, n.content, n.url, n.thumb_url, l.create_time, l.update_time
       FROM latest l JOIN published_news_items n ON n.account_id = $1 AND n.article_id = l.article_id AND NOT n.is_deleted
      ORDER BY l.update_time DESC NULLS LAST, l.id DESC, n.idx`,
    accountId,
    articles,
  );
  const lm = await tx.$queryRawUnsafe<{ t: Date | null }[]>(
    `SELECT GREATEST(max(last_seen_at), max(deleted_at)) AS t FROM published_articles WHERE account_id = $1`,
    accountId,
  );
  return {
    accountName: acc[0].name,
    known: true,
    lastModified: lm[0]?.t ?? null,
    items: items.map((r) => ({
      articleId: r.article_id,
      idx: r.idx,
      title: r.title,
      author: r.author,
      digest: r.digest,
      content: r.content,
      url: r.url,
      thumbUrl: r.thumb_url,
      createTime: r.create_time,
      updateTime: r.update_time,
    })),
  };
}
