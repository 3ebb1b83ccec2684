// What a feed shows: the live news items of an account's latest live articles, newest
// first, at most `entries` of them; and the feed's version (what changes it), read cheaply
// so an unchanged feed is answered from cache (or 304) without reading any item.
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

export interface FeedVersion {
  /** false when the account never synced */
  known: boolean;
  accountName: string | null;
  /** when the account's articles last changed (a write, a deletion): Last-Modified */
  lastModified: Date | null;
  /** when an image of the account's articles was last mirrored (it changes the display HTML) */
  mediaChangedAt: Date | null;
}

export interface FeedRecords extends FeedVersion {
  items: FeedItemRecord[];
}

export async function feedVersion(tx: Tx, appId: string): Promise<FeedVersion> {
  const rows = await tx.$queryRawUnsafe<{ name: string | null; changed: Date | null; media: Date | null }[]>(
    `SELECT acc.name,
            (SELECT GREATEST(max(last_seen_at), max(deleted_at)) FROM published_articles WHERE account_id = acc.id) AS changed,
            (SELECT max(a.stored_at) FROM media_links l JOIN media_assets a ON a.id = l.asset_id
              WHERE l.account_id = acc.id AND l.owner_kind = 'published_news_item') AS media
       FROM accounts acc WHERE acc.app_id = $1`,
    appId,
  );
  const r = rows[0];
  return r ? { known: true, accountName: r.name, lastModified: r.changed, mediaChangedAt: r.media } : { known: false, accountName: null, lastModified: null, mediaChangedAt: null };
}

export async function feedItems(tx: Tx, appId: string, entries: number): Promise<FeedRecords> {
  const version = await feedVersion(tx, appId);
  if (!version.known) return { ...version, items: [] };
  const items = await tx.$queryRawUnsafe<
    { article_id: string; idx: number; title: string | null; author: string | null; digest: string | null; content: string | null; url: string | null; thumb_url: string | null; create_time: Date | null; update_time: Date | null }[]
  >(
    // every live article has at least one live item: `entries` articles hold enough of them
    `WITH latest AS (
       SELECT a.id, a.account_id, a.article_id, a.create_time, a.update_time FROM published_articles a
        WHERE a.account_id = (SELECT id FROM accounts WHERE app_id = $1) AND NOT a.is_deleted
        ORDER BY a.update_time DESC NULLS LAST, a.id DESC LIMIT $2)
     SELECT l.article_id, n.idx, n.title, n.author, n.digest, n.content, n.url, n.thumb_url, l.create_time, l.update_time
       FROM latest l JOIN published_news_items n ON n.account_id = l.account_id AND n.article_id = l.article_id AND NOT n.is_deleted
      ORDER BY l.update_time DESC NULLS LAST, l.id DESC, n.idx
      LIMIT $2`,
    appId,
    entries,
  );
  return {
    ...version,
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
