// News items of a page of articles or news materials, in one query, grouped by owner.
import type { PrismaClient } from "../prisma.ts";

export interface NewsItemRecord {
  idx: number;
  title: string | null;
  author: string | null;
  digest: string | null;
  content: string | null;
  contentSourceUrl: string | null;
  thumbMediaId: string | null;
  thumbUrl: string | null;
  showCoverPic: number | null;
  needOpenComment: number | null;
  onlyFansCanComment: number | null;
  url: string | null;
  isDeleted: boolean;
}

const ownerKey = (accountId: number, key: string): string => `${accountId}:${key}`;

type Owner = { accountId: number; key: string };

/** The items of each owner, by idx, under `${accountId}:${key}` (see itemsOf). */
export async function publishedNewsItems(prisma: PrismaClient, owners: Owner[]): Promise<Map<string, NewsItemRecord[]>> {
  if (owners.length === 0) return new Map();
  const items = await prisma.publishedNewsItem.findMany({
    where: { accountId: { in: [...new Set(owners.map((o) => o.accountId))] }, articleId: { in: owners.map((o) => o.key) } },
    orderBy: [{ articleId: "asc" }, { idx: "asc" }],
  });
  return group(items.map((n) => ({ owner: ownerKey(n.accountId, n.articleId), item: n })));
}

export async function materialNewsItems(prisma: PrismaClient, owners: Owner[]): Promise<Map<string, NewsItemRecord[]>> {
  if (owners.length === 0) return new Map();
  const items = await prisma.materialNewsItem.findMany({
    where: { accountId: { in: [...new Set(owners.map((o) => o.accountId))] }, mediaId: { in: owners.map((o) => o.key) } },
    orderBy: [{ mediaId: "asc" }, { idx: "asc" }],
  });
  return group(items.map((n) => ({ owner: ownerKey(n.accountId, n.mediaId), item: n })));
}

export function itemsOf(groups: Map<string, NewsItemRecord[]>, accountId: number, key: string): NewsItemRecord[] {
  return groups.get(ownerKey(accountId, key)) ?? [];
}

function group(rows: { owner: string; item: NewsItemRecord }[]): Map<string, NewsItemRecord[]> {
  const out = new Map<string, NewsItemRecord[]>();
  for (const { owner, item } of rows) {
    const record: NewsItemRecord = {
      idx: item.idx,
      title: item.title,
      author: item.author,
      digest: item.digest,
      content: item.content,
      contentSourceUrl: item.contentSourceUrl,
      thumbMediaId: item.thumbMediaId,
      thumbUrl: item.thumbUrl,
      showCoverPic: item.showCoverPic,
      needOpenComment: item.needOpenComment,
      onlyFansCanComment: item.onlyFansCanComment,
      url: item.url,
      isDeleted: item.isDeleted,
    };
    out.set(owner, [...(out.get(owner) ?? []), record]);
  }
  return out;
}
