// content_changes, the outbox: change events written in the transaction of the change.
// Each event's data is read from the rows as the transaction leaves them, so it says what
// was committed. Writers take one transaction-scoped advisory lock right before inserting
// and hold it until commit: ids are then allocated in commit order, which makes `id` a
// cursor that a reader can never overtake (no event with a smaller id commits later).
import type { StoreSource } from "../rows.ts";
import type { Tx } from "./tx.ts";

/** What happened to one article or material, as the sync decided it. */
export type ItemChangeKind = "created" | "updated" | "deleted" | "restored";

export interface ItemChange {
  key: string;
  change: ItemChangeKind;
}

/** The event types, by item family: an article is "published" when first seen, a material "created". */
export const CHANGE_TYPES = {
  published: { created: "article.published", updated: "article.updated", deleted: "article.deleted", restored: "article.restored" },
  material: { created: "material.created", updated: "material.updated", deleted: "material.deleted", restored: "material.restored" },
} as const;

const OUTBOX_LOCK = "mpsync:content_changes";

/** ISO 8601 UTC with milliseconds, as the read API prints dates. */
const iso = (col: string): string => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const newsItemsJson = (table: string, key: string, owner: string): string =>
  `(SELECT COALESCE(jsonb_agg(jsonb_build_object('idx', ni.idx, 'title', ni.title, 'url', ni.url, 'is_deleted', ni.is_deleted) ORDER BY ni.idx), '[]'::jsonb)
      FROM ${table} ni WHERE ni.account_id = $1 AND ni.${key} = ${owner})`;

// the first news item not deleted (the article's face, as in the read API), else the first one
const firstItem = (table: string, key: string, owner: string): string =>
  `LEFT JOIN LATERAL (SELECT ni.title, ni.digest, ni.author, ni.url, ni.thumb_url FROM ${table} ni
                       WHERE ni.account_id = $1 AND ni.${key} = ${owner} ORDER BY ni.is_deleted, ni.idx LIMIT 1) f ON true`;

const ARTICLE_DATA = `jsonb_build_object(
    'article_id', t.article_id, 'title', f.title, 'digest', f.digest, 'author', f.author, 'url', f.url, 'thumb_url', f.thumb_url,
    'create_time', ${iso("t.create_time")}, 'update_time', ${iso("t.update_time")},
    'is_deleted', t.is_deleted, 'deleted_at', ${iso("t.deleted_at")},
    'news_items', ${newsItemsJson("published_news_items", "article_id", "t.article_id")})`;

const MATERIAL_DATA = `jsonb_build_object(
    'media_id', t.media_id, 'type', t.type, 'name', t.name, 'url', t.url, 'title', f.title,
    'create_time', ${iso("t.create_time")}, 'update_time', ${iso("t.update_time")},
    'is_deleted', t.is_deleted, 'deleted_at', ${iso("t.deleted_at")})
    || CASE WHEN t.type = 'news' THEN jsonb_build_object('news_items', ${newsItemsJson("material_news_items", "media_id", "t.media_id")}) ELSE '{}'::jsonb END`;

const FAMILY = {
  published: { table: "published_articles", key: "article_id", news: "published_news_items", data: ARTICLE_DATA },
  material: { table: "materials", key: "media_id", news: "material_news_items", data: MATERIAL_DATA },
} as const;

/**
 * Writes one event per change, in the caller's transaction, after the rows were written.
 * Call it last in the transaction: the outbox lock is held from here to the commit. The
 * events' data is built first, outside the lock (it reads the news items of every row):
 * every writer of the deployment queues on that lock, so only the insert and the commit
 * happen under it.
 */
export async function recordChanges(tx: Tx, accountId: number, runId: bigint | null, source: StoreSource, changes: ItemChange[]): Promise<number> {
  if (changes.length === 0) return 0;
  const f = FAMILY[source.kind];
  const types = CHANGE_TYPES[source.kind];
  const events = await tx.$queryRawUnsafe<{ k: string; ty: string; d: string }[]>(
    `SELECT t.${f.key} AS k, u.ty, (${f.data})::text AS d
       FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS u(k, ty, ord)
       -- one index probe per key, whatever the statistics say (select-stored-state.ts says why)
       CROSS JOIN LATERAL (SELECT * FROM ${f.table} r WHERE r.account_id = $1 AND r.${f.key} = u.k LIMIT 1) t
       ${firstItem(f.news, f.key, `t.${f.key}`)}
      ORDER BY u.ord`,
    accountId,
    changes.map((c) => c.key),
    changes.map((c) => types[c.change]),
  );
  if (events.length === 0) return 0;
  await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, OUTBOX_LOCK);
  return tx.$executeRawUnsafe(
    `INSERT INTO content_changes (account_id, type, item_key, run_id, data)
     SELECT $1, u.ty, u.k, $2, u.d::jsonb FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u(k, ty, d, ord) ORDER BY u.ord`,
    accountId,
    runId,
    events.map((e) => e.k),
    events.map((e) => e.ty),
    events.map((e) => e.d),
  );
}
