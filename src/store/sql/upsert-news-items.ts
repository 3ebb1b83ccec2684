// Bulk upsert of news items by (owner key, idx). is_deleted follows the API flag;
// unchanged items (same hash, same flag) are not touched.
import type { NewsItemRow } from "../rows.ts";
import { NEWS_ITEM_TABLES, type NewsItemTable } from "./news-item-tables.ts";
import type { Tx } from "./tx.ts";

export interface OwnedNewsItem {
  owner: string;
  item: NewsItemRow;
}

export async function upsertNewsItems(tx: Tx, which: NewsItemTable, accountId: number, rows: OwnedNewsItem[]): Promise<void> {
  if (rows.length === 0) return;
  const { table, key } = NEWS_ITEM_TABLES[which];
  const col = <T>(f: (i: NewsItemRow) => T): T[] => rows.map((r) => f(r.item));
  await tx.$executeRawUnsafe(
    `INSERT INTO ${table} AS t
       (account_id, ${key}, idx, title, author, digest, content, content_source_url, thumb_media_id, thumb_url,
        show_cover_pic, need_open_comment, only_fans_can_comment, url, is_deleted, deleted_at, content_hash, updated_at)
     SELECT $1, u.k, u.idx, u.title, u.author, u.digest, u.content, u.csu, u.tmi, u.tu, u.scp, u.noc, u.ofc, u.url,
            u.d, CASE WHEN u.d THEN now() END, u.h, now()
       FROM unnest($2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                   $11::int[], $12::int[], $13::int[], $14::text[], $15::bool[], $16::text[])
            AS u(k, idx, title, author, digest, content, csu, tmi, tu, scp, noc, ofc, url, d, h)
     ON CONFLICT (account_id, ${key}, idx) DO UPDATE SET
       title = EXCLUDED.title, author = EXCLUDED.author, digest = EXCLUDED.digest, content = EXCLUDED.content,
       content_source_url = EXCLUDED.content_source_url, thumb_media_id = EXCLUDED.thumb_media_id, thumb_url = EXCLUDED.thumb_url,
       show_cover_pic = EXCLUDED.show_cover_pic, need_open_comment = EXCLUDED.need_open_comment,
       only_fans_can_comment = EXCLUDED.only_fans_can_comment, url = EXCLUDED.url,
       is_deleted = EXCLUDED.is_deleted,
       deleted_at = CASE WHEN EXCLUDED.is_deleted THEN COALESCE(t.deleted_at, now()) END,
       content_hash = EXCLUDED.content_hash,
       updated_at = now()
     WHERE t.content_hash IS DISTINCT FROM EXCLUDED.content_hash OR t.is_deleted IS DISTINCT FROM EXCLUDED.is_deleted`,
    accountId,
    rows.map((r) => r.owner),
    col((i) => i.idx),
    col((i) => i.title),
    col((i) => i.author),
    col((i) => i.digest),
    col((i) => i.content),
    col((i) => i.contentSourceUrl),
    col((i) => i.thumbMediaId),
    col((i) => i.thumbUrl),
    col((i) => i.showCoverPic),
    col((i) => i.needOpenComment),
    col((i) => i.onlyFansCanComment),
    col((i) => i.url),
    col((i) => i.isDeleted),
    col((i) => i.contentHash),
  );
}
