// The demo's sample: an account's newest live articles with their item count and first title.
import type { PrismaClient } from "../prisma.ts";

export interface ArticleSummary {
  articleId: string;
  updateTime: Date | null;
  items: number;
  firstTitle: string | null;
}

export async function latestArticles(prisma: PrismaClient, appId: string, limit: number): Promise<ArticleSummary[]> {
  return prisma.$queryRawUnsafe<ArticleSummary[]>(
    `SELECT a.article_id AS "articleId", a.update_time AS "updateTime", count(n.*)::int AS items,
            min(n.title) FILTER (WHERE n.idx = 0) AS "firstTitle"
       FROM published_articles a JOIN accounts acc ON acc.id = a.account_id
       LEFT JOIN published_news_items n ON n.account_id = a.account_id AND n.article_id = a.article_id
      WHERE acc.app_id = $1 AND NOT a.is_deleted
      GROUP BY a.article_id, a.update_time ORDER BY a.update_time DESC NULLS LAST LIMIT $2`,
    appId,
    limit,
  );
}
