// Search of news items: the SQL function mpsync_search (the search migration), so the read
// API, the console and people's own SQL get the same results from one implementation.
import type { PrismaClient } from "../prisma.ts";
import type { NewsItemTable } from "../sql/news-item-tables.ts";

/** Where a page of results ended: the last row's rank, source and id (the order's key). */
export interface SearchPosition {
  rank: number;
  source: NewsItemTable;
  id: bigint;
}

export interface SearchFilter {
  q: string;
  /** app_id; every account when absent */
  appId?: string;
  /** published news items, material news items, or both */
  sources: NewsItemTable[];
  includeDeleted: boolean;
  limit: number;
  after?: SearchPosition;
}

export interface SearchHit extends SearchPosition {
  appId: string;
  /** article_id (published) or media_id (material) */
  itemKey: string;
  idx: number;
  title: string | null;
  digest: string | null;
  url: string | null;
  /** HTML: body text around the first match, escaped, matches in <mark></mark> */
  snippet: string;
  createTime: Date | null;
  updateTime: Date | null;
  isDeleted: boolean;
}

/** The query has no word to search for (only punctuation, stop words or excluded words). */
export class UnsearchableQueryError extends Error {
  override readonly name = "UnsearchableQueryError";
  constructor() {
    super("has no word to search for (only punctuation, stop words, or excluded words)");
  }
}

interface HitRow {
  source: NewsItemTable;
  id: bigint;
  app_id: string;
  item_key: string;
  idx: number;
  title: string | null;
  digest: string | null;
  url: string | null;
  snippet: string;
  rank: number;
  create_time: Date | null;
  update_time: Date | null;
  is_deleted: boolean;
}

/** A page of results, best first; throws UnsearchableQueryError when q has nothing to search. */
export async function searchNewsItems(prisma: PrismaClient, f: SearchFilter): Promise<{ rows: SearchHit[]; more: boolean }> {
  const [{ searchable }] = await prisma.$queryRawUnsafe<[{ searchable: boolean }]>(`SELECT mpsync_search_query($1) IS NOT NULL AS searchable`, f.q);
  if (!searchable) throw new UnsearchableQueryError();
  const rows = await prisma.$queryRawUnsafe<HitRow[]>(
    `SELECT * FROM mpsync_search($1, $2, $3::text[], $4, $5, $6::real, $7, $8::bigint)`,
    f.q,
    f.appId ?? null,
    f.sources,
    f.includeDeleted,
    f.limit + 1,
    f.after?.rank ?? null,
    f.after?.source ?? null,
    f.after?.id ?? null,
  );
  return {
    rows: rows.slice(0, f.limit).map((r) => ({
      source: r.source,
      id: r.id,
      rank: r.rank,
      appId: r.app_id,
      itemKey: r.item_key,
      idx: r.idx,
      title: r.title,
      digest: r.digest,
      url: r.url,
      snippet: r.snippet,
      createTime: r.create_time,
      updateTime: r.update_time,
      isDeleted: r.is_deleted,
    })),
    more: rows.length > f.limit,
  };
}
