// Published articles as the read API needs them: a keyset page (optionally searched by
// keyword in title and digest) and one article, each with its news items. Deleted news
// items (of live articles too) are deleted content: left out of the items and of the
// search unless the caller includes deleted content.
import { Prisma } from "../generated/prisma/client.ts";
import type { PrismaClient } from "../prisma.ts";
import { containsPattern, listConditions, orderBy, pageOf, type ListFilter } from "./keyset.ts";
import type { ArticleRow as StoredArticle } from "../rows.ts";
import { itemsOf, newsItemsOf, type NewsItemRecord } from "./news-items.ts";

export interface ArticleRecord extends Omit<StoredArticle, "contentHash" | "newsItems" | "removedChars"> {
  id: bigint;
  appId: string;
  deletedAt: Date | null;
  newsItems: NewsItemRecord[];
}

export interface ArticleFilter extends ListFilter {
  /** a keyword in any news item's title or digest, matched literally, case-insensitively */
  q?: string;
}

interface ArticleRow {
  id: bigint;
  account_id: number;
  app_id: string;
  article_id: string;
  create_time: Date | null;
  update_time: Date | null;
  is_deleted: boolean;
  deleted_at: Date | null;
}

async function withNewsItems(prisma: PrismaClient, rows: ArticleRow[], includeDeleted: boolean): Promise<ArticleRecord[]> {
  const news = await newsItemsOf(prisma, "published", rows.map((a) => ({ accountId: a.account_id, key: a.article_id })), { includeDeleted });
  return rows.map((a) => ({
    id: a.id,
    appId: a.app_id,
    articleId: a.article_id,
    createTime: a.create_time,
    updateTime: a.update_time,
    isDeleted: a.is_deleted,
    deletedAt: a.deleted_at,
    newsItems: itemsOf(news, a.account_id, a.article_id),
  }));
}

export async function listArticles(prisma: PrismaClient, f: ArticleFilter): Promise<{ rows: ArticleRecord[]; more: boolean }> {
  const where = listConditions("a", f);
  if (f.q) {
    const pattern = containsPattern(f.q);
    where.push(Prisma.sql`EXISTS (SELECT 1 FROM published_news_items n WHERE n.account_id = a.account_id AND n.article_id = a.article_id
                                   AND (n.title ILIKE ${pattern} OR n.digest ILIKE ${pattern}) AND (${f.includeDeleted} OR NOT n.is_deleted))`);
  }
  const rows = await prisma.$queryRaw<ArticleRow[]>`
    SELECT a.id, a.account_id, acc.app_id, a.article_id, a.create_time, a.update_time, a.is_deleted, a.deleted_at
      FROM published_articles a JOIN accounts acc ON acc.id = a.account_id
     WHERE ${Prisma.join(where, " AND ")} ${orderBy("a")} LIMIT ${f.limit + 1}`;
  const page = pageOf(rows, f.limit);
  return { rows: await withNewsItems(prisma, page.rows, f.includeDeleted), more: page.more };
}

/** The article with this id (of this account when given; the oldest row when several accounts have one), or null. */
export async function getArticle(prisma: PrismaClient, articleId: string, o: { accountId?: number; includeDeletedItems: boolean }): Promise<ArticleRecord | null> {
  const { accountId } = o;
  const a = await prisma.publishedArticle.findFirst({
    where: { articleId, ...(accountId !== undefined ? { accountId } : {}) },
    orderBy: { id: "asc" },
    include: { account: { select: { appId: true } } },
  });
  if (!a) return null;
  const [record] = await withNewsItems(prisma, [
    {
      id: a.id,
      account_id: a.accountId,
      app_id: a.account.appId,
      article_id: a.articleId,
      create_time: a.createTime,
      update_time: a.updateTime,
      is_deleted: a.isDeleted,
      deleted_at: a.deletedAt,
    },
  ], o.includeDeletedItems);
  return record ?? null;
}
