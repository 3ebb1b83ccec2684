// Bulk upsert of news items by (owner key, idx). is_deleted follows the API flag;
// unchanged items (same hash, same flag) are not touched. With SEARCH_INDEX on, the search
// document is written with the row, in the page's transaction (search/tokens.ts makes its
// token streams); off, a written row's search columns become NULL, with no tokenizing at
// all, so no stale vector outlives a period without the index (`mpsync search reindex`
// and the worker's backfill fill them when it is turned on).
import type { NewsItemRow } from "../rows.ts";
import { NEWS_ITEM_TABLES, type NewsItemTable } from "./news-item-tables.ts";
import type { Tx } from "./tx.ts";
import { searchStreams } from "../search/tokens.ts";

export interface OwnedNewsItem {
  owner: string;
  item: NewsItemRow;
}

/** Whether the write indexes its rows for search (SEARCH_INDEX). */
export interface SearchWrite {
  searchIndex: boolean;
}

export async function upsertNewsItems(tx: Tx, which: NewsItemTable, accountId: number, rows: OwnedNewsItem[], opts: SearchWrite): Promise<void> {
  if (rows.length === 0) return;
  const { table, key } = NEWS_ITEM_TABLES[which];
  // One JSON parameter instead of an array per column: the HTML bodies are most of a
  // page's bytes, and JSON.stringify escapes them natively where pg's array literals
  // escape each element in JavaScript (two regex passes and copies per body).
  const json = JSON.stringify(opts.searchIndex ? rows.map(({ owner, item: i }) => ({ k: owner, ...i, ...searchStreams(i) })) : rows.map(({ owner, item: i }) => ({ k: owner, ...i })));
  const search = opts.searchIndex ? "mpsync_search_vector(u.st, u.sd, u.sb), mpsync_search_vector(u.st, u.sd, NULL)" : "NULL::tsvector, NULL::tsvector";
  await tx.$executeRawUnsafe(
    `INSERT INTO ${table} AS t
       (account_id, ${key}, idx, title, author, digest, content, content_source_url, thumb_media_id, thumb_url,
        show_cover_pic, need_open_comment, only_fans_can_comment, url, is_deleted, deleted_at, content_hash, updated_at, search, search_head)
     SELECT $1, u.k, u.idx, u.title, u.author, u.digest, u.content, u."contentSourceUrl", u."thumbMediaId", u."thumbUrl",
            u."showCoverPic", u."needOpenComment", u."onlyFansCanComment", u.url,
            u."isDeleted", CASE WHEN u."isDeleted" THEN now() END, u."contentHash", now(),
            ${search}
       FROM json_to_recordset($2::json) AS u(k text, idx int, title text, author text, digest text, content text,
            "contentSourceUrl" text, "thumbMediaId" text, "thumbUrl" text, "showCoverPic" int, "needOpenComment" int,
            "onlyFansCanComment" int, url text, "isDeleted" bool, "contentHash" text, st text, sd text, sb text)
     ON CONFLICT (account_id, ${key}, idx) DO UPDATE SET
       title = EXCLUDED.title, author = EXCLUDED.author, digest = EXCLUDED.digest, content = EXCLUDED.content,
       content_source_url = EXCLUDED.content_source_url, thumb_media_id = EXCLUDED.thumb_media_id, thumb_url = EXCLUDED.thumb_url,
       show_cover_pic = EXCLUDED.show_cover_pic, need_open_comment = EXCLUDED.need_open_comment,
       only_fans_can_comment = EXCLUDED.only_fans_can_comment, url = EXCLUDED.url,
       is_deleted = EXCLUDED.is_deleted,
       deleted_at = CASE WHEN EXCLUDED.is_deleted THEN COALESCE(t.deleted_at, now()) END,
       content_hash = EXCLUDED.content_hash,
       updated_at = now(),
       search = EXCLUDED.search,
       search_head = EXCLUDED.search_head
     WHERE t.content_hash IS DISTINCT FROM EXCLUDED.content_hash OR t.is_deleted IS DISTINCT FROM EXCLUDED.is_deleted`,
    accountId,
    json,
  );
}
