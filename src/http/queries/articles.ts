// Published articles for the read API: a keyset-paginated list and one article with its news items.
import { Prisma } from "../../store/generated/prisma/client.ts";
import type { PrismaClient } from "../../store/prisma.ts";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import { NotFoundError } from "../errors.ts";
import { accountIdOf, appIdsById } from "./accounts.ts";
import { afterCursor, containsPattern, cursorOf, orderBy } from "./keyset.ts";
import { iso } from "../../status/runs.ts";

export interface ArticleListQuery {
  account?: string;
  updatedSince?: Date;
  limit: number;
  includeDeleted: boolean;
  q?: string;
  cursor?: string;
}

interface ArticleRow {
  id: bigint;
  account_id: number;
  article_id: string;
  create_time: Date | null;
  update_time: Date | null;
  is_deleted: boolean;
  deleted_at: Date | null;
}

type NewsRow = Prisma.PublishedNewsItemModel;

function newsItemOut(n: NewsRow, withContent: boolean) {
  return {
    idx: n.idx,
    title: n.title,
    author: n.author,
    digest: n.digest,
    ...(withContent ? { content: n.content } : {}),
    content_source_url: n.contentSourceUrl,
    thumb_media_id: n.thumbMediaId,
    thumb_url: n.thumbUrl,
    show_cover_pic: n.showCoverPic,
    need_open_comment: n.needOpenComment,
    only_fans_can_comment: n.onlyFansCanComment,
    url: n.url,
    is_deleted: n.isDeleted,
  };
}

function articleOut(a: ArticleRow, appId: string, news: NewsRow[], withContent: boolean) {
  const first = news.find((n) => !n.isDeleted) ?? news[0];
  return {
    article_id: a.article_id,
    account: appId,
    create_time: iso(a.create_time),
    update_time: iso(a.update_time),
    is_deleted: a.is_deleted,
    deleted_at: iso(a.deleted_at),
    title: first?.title ?? null,
    digest: first?.digest ?? null,
    url: first?.url ?? null,
    thumb_url: first?.thumbUrl ?? null,
    news_items: news.map((n) => newsItemOut(n, withContent)),
  };
}

async function newsItemsOf(prisma: PrismaClient, rows: { account_id: number; article_id: string }[]): Promise<Map<string, NewsRow[]>> {
  const out = new Map<string, NewsRow[]>();
  if (rows.length === 0) return out;
  const items = await prisma.publishedNewsItem.findMany({
    where: { accountId: { in: [...new Set(rows.map((r) => r.account_id))] }, articleId: { in: rows.map((r) => r.article_id) } },
    orderBy: [{ articleId: "asc" }, { idx: "asc" }],
  });
  for (const n of items) {
    const k = `${n.accountId}:${n.articleId}`;
    out.set(k, [...(out.get(k) ?? []), n]);
  }
  return out;
}

export async function listArticles(prisma: PrismaClient, query: ArticleListQuery) {
  const accountId = await accountIdOf(prisma, query.account);
  const where: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (accountId !== undefined) where.push(Prisma.sql`a.account_id = ${accountId}`);
  if (!query.includeDeleted) where.push(Prisma.sql`NOT a.is_deleted`);
  if (query.updatedSince) {
    // with deleted rows included, a deletion after `updated_since` counts as an update
    where.push(
      query.includeDeleted
        ? Prisma.sql`(a.update_time >= ${query.updatedSince} OR a.deleted_at >= ${query.updatedSince})`
        : Prisma.sql`a.update_time >= ${query.updatedSince}`,
    );
  }
  if (query.q) {
    const pattern = containsPattern(query.q);
    where.push(Prisma.sql`EXISTS (SELECT 1 FROM published_news_items n WHERE n.account_id = a.account_id AND n.article_id = a.article_id
                                   AND (n.title ILIKE ${pattern} OR n.digest ILIKE ${pattern}))`);
  }
  if (query.cursor) where.push(afterCursor("a", decodeCursor(query.cursor)));
  const rows = await prisma.$queryRaw<ArticleRow[]>`
    SELECT a.id, a.account_id, a.article_id, a.create_time, a.update_time, a.is_deleted, a.deleted_at
      FROM published_articles a WHERE ${Prisma.join(where, " AND ")} ${orderBy("a")} LIMIT ${query.limit + 1}`;
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const [news, appIds] = await Promise.all([newsItemsOf(prisma, page), appIdsById(prisma)]);
  return {
    data: page.map((a) => articleOut(a, appIds.get(a.account_id) ?? "", news.get(`${a.account_id}:${a.article_id}`) ?? [], false)),
    next_cursor: rows.length > query.limit && last ? encodeCursor(cursorOf(last)) : null,
  };
}

export async function getArticle(prisma: PrismaClient, articleId: string, account?: string) {
  const accountId = await accountIdOf(prisma, account);
  const a = await prisma.publishedArticle.findFirst({ where: { articleId, ...(accountId !== undefined ? { accountId } : {}) }, orderBy: { id: "asc" } });
  if (!a) throw new NotFoundError(`article ${articleId}`);
  const row: ArticleRow = {
    id: a.id,
    account_id: a.accountId,
    article_id: a.articleId,
    create_time: a.createTime,
    update_time: a.updateTime,
    is_deleted: a.isDeleted,
    deleted_at: a.deletedAt,
  };
  const [news, appIds] = await Promise.all([newsItemsOf(prisma, [row]), appIdsById(prisma)]);
  return articleOut(row, appIds.get(a.accountId) ?? "", news.get(`${a.accountId}:${a.articleId}`) ?? [], true);
}
