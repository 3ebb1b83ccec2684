// News items of a page of articles or news materials, in one query, grouped by owner.
import type { PrismaClient } from "../prisma.ts";
import type { NewsItemRow } from "../rows.ts";
import { NEWS_ITEM_TABLES, type NewsItemTable } from "../sql/news-item-tables.ts";

/** A stored news item as readers see it (the hash is the sync's business). */
export type NewsItemRecord = Omit<NewsItemRow, "contentHash">;

type Owner = { accountId: number; key: string };
const ownerKey = (accountId: number, key: string): string => `${accountId}:${key}`;

/** The items of each owner, by idx (deleted ones only with includeDeleted); read them with itemsOf. */
export async function newsItemsOf(prisma: PrismaClient, which: NewsItemTable, owners: Owner[], o: { includeDeleted: boolean }): Promise<Map<string, NewsItemRecord[]>> {
  const out = new Map<string, NewsItemRecord[]>();
  if (owners.length === 0) return out;
  const { table, key } = NEWS_ITEM_TABLES[which];
  const rows = await prisma.$queryRawUnsafe<(NewsItemRecord & { accountId: number; owner: string })[]>(
    `SELECT account_id AS "accountId", ${key} AS owner, idx, title, author, digest, content, content_source_url AS "contentSourceUrl",
            thumb_media_id AS "thumbMediaId", thumb_url AS "thumbUrl", show_cover_pic AS "showCoverPic",
            need_open_comment AS "needOpenComment", only_fans_can_comment AS "onlyFansCanComment", url, is_deleted AS "isDeleted"
       FROM ${table} WHERE account_id = ANY($1::int[]) AND ${key} = ANY($2::text[]) ${o.includeDeleted ? "" : "AND NOT is_deleted"} ORDER BY ${key}, idx`,
    [...new Set(owners.map((o) => o.accountId))],
    owners.map((o) => o.key),
  );
  for (const { accountId, owner, ...item } of rows) {
    const k = ownerKey(accountId, owner);
    out.set(k, [...(out.get(k) ?? []), item]);
  }
  return out;
}

export function itemsOf(groups: Map<string, NewsItemRecord[]>, accountId: number, key: string): NewsItemRecord[] {
  return groups.get(ownerKey(accountId, key)) ?? [];
}
