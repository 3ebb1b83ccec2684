// Indexing rows whose search document is NULL (written before SEARCH_INDEX was on, or while
// it was off): in batches, each its own short transaction, keyset by id, with the sync's own
// tokenizer (tokens.ts), so there is one tokenizer path. `mpsync search reindex` and the
// worker's start (job search-reindex) run it; running it twice, or beside a sync, is safe:
// a batch locks its rows, so a page write of the same rows waits for it or is waited for,
// and a row the page write indexed meanwhile is no longer NULL.
import { pgPoolOf, type PrismaClient } from "../prisma.ts";
import { withPgTransaction } from "../pg-transaction.ts";
import { NEWS_ITEM_TABLES, type NewsItemTable } from "../sql/news-item-tables.ts";
import { searchStreams } from "./tokens.ts";

/** Rows one transaction indexes: short enough not to hold a page write up for long. */
export const REINDEX_BATCH = 500;

export type SearchCounts = Record<NewsItemTable, number>;

export interface ReindexOptions {
  batch?: number;
  /** stops between batches (what is committed stays) */
  signal?: AbortSignal;
  /** after each committed batch: the table and how many of its rows this run indexed so far */
  onBatch?(p: { source: NewsItemTable; indexed: number }): void;
}

interface Unindexed {
  id: bigint;
  title: string | null;
  digest: string | null;
  content: string | null;
}

/** News items whose search document is NULL, per table. */
export async function unindexedCounts(prisma: PrismaClient): Promise<SearchCounts> {
  const [r] = await prisma.$queryRawUnsafe<[{ published: bigint; material: bigint }]>(
    `SELECT (SELECT count(*) FROM published_news_items WHERE search IS NULL) AS published, (SELECT count(*) FROM material_news_items WHERE search IS NULL) AS material`,
  );
  return { published: Number(r.published), material: Number(r.material) };
}

/** Indexes every news item whose search is NULL; returns how many rows it indexed per table. */
export async function reindexSearch(prisma: PrismaClient, opts: ReindexOptions = {}): Promise<SearchCounts> {
  const pool = pgPoolOf(prisma);
  const batch = opts.batch ?? REINDEX_BATCH;
  const done: SearchCounts = { published: 0, material: 0 };
  for (const source of Object.keys(NEWS_ITEM_TABLES) as NewsItemTable[]) {
    const { table } = NEWS_ITEM_TABLES[source];
    let after = 0n;
    for (;;) {
      opts.signal?.throwIfAborted();
      const r = await withPgTransaction(pool, async (tx) => {
        const rows = await tx.$queryRawUnsafe<Unindexed[]>(
          `SELECT id, title, digest, content FROM ${table} WHERE search IS NULL AND id > $1 ORDER BY id LIMIT $2 FOR UPDATE`,
          after.toString(),
          batch,
        );
        if (rows.length === 0) return { seen: 0, indexed: 0 };
        after = rows[rows.length - 1]!.id;
        const json = JSON.stringify(rows.map((r) => ({ id: r.id.toString(), ...searchStreams(r) })));
        const indexed = await tx.$executeRawUnsafe(
          `UPDATE ${table} AS t SET search = mpsync_search_vector(u.st, u.sd, u.sb), search_head = mpsync_search_vector(u.st, u.sd, NULL)
             FROM json_to_recordset($1::json) AS u(id bigint, st text, sd text, sb text)
            WHERE t.id = u.id AND t.search IS NULL`,
          json,
        );
        return { seen: rows.length, indexed };
      });
      if (r.seen === 0) break;
      done[source] += r.indexed;
      opts.onBatch?.({ source, indexed: done[source] });
    }
  }
  return done;
}
