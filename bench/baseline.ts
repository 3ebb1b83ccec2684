// The baseline the benchmark compares mpsync with: a sync written the way most
// hand-written ones are. The same WeChat client (tokens, retries, parsing) as mpsync,
// but one page after another and one Prisma `upsert` per row: the article, each of its
// news items, each material. No content hashes, no batching, no parallel pages.
import type { PrismaClient } from "../src/store/prisma.ts";
import { MATERIAL_TYPES, MAX_PAGE_SIZE, type NewsItem, type WeChatClient } from "../src/wechat/index.ts";

export interface BaselineCounters {
  pages: number;
  items: number;
  upserts: number;
}

const toDate = (unixSeconds: number | null): Date | null => (unixSeconds === null ? null : new Date(unixSeconds * 1000));

/** The client's news items already carry the model's field names. */
const newsItemData = (n: NewsItem): NewsItem => ({ ...n });

/** Walks every list from offset 0 to its end and upserts each row on its own. */
export async function runBaseline(prisma: PrismaClient, client: WeChatClient): Promise<BaselineCounters> {
  const counters: BaselineCounters = { pages: 0, items: 0, upserts: 0 };
  const account = await prisma.account.upsert({ where: { appId: client.appId }, create: { appId: client.appId }, update: {} });
  const accountId = account.id;

  for (let offset = 0; ; ) {
    const page = await client.batchGetPublished({ offset, count: MAX_PAGE_SIZE });
    counters.pages++;
    for (const a of page.items) {
      counters.items++;
      // an article whose news items are all deleted is deleted (the same rule mpsync documents)
      const isDeleted = a.newsItems.length > 0 && a.newsItems.every((n) => n.isDeleted);
      const data = { createTime: toDate(a.createTime), updateTime: toDate(a.updateTime), isDeleted, lastSeenAt: new Date() };
      await prisma.publishedArticle.upsert({
        where: { accountId_articleId: { accountId, articleId: a.articleId } },
        create: { accountId, articleId: a.articleId, ...data },
        update: data,
      });
      counters.upserts++;
      for (const [idx, n] of a.newsItems.entries()) {
        const item = newsItemData(n);
        await prisma.publishedNewsItem.upsert({
          where: { accountId_articleId_idx: { accountId, articleId: a.articleId, idx } },
          create: { accountId, articleId: a.articleId, idx, ...item },
          update: { ...item, updatedAt: new Date() },
        });
        counters.upserts++;
      }
    }
    offset += page.itemCount;
    if (page.itemCount === 0 || offset >= page.totalCount) break;
  }

  for (const type of MATERIAL_TYPES) {
    for (let offset = 0; ; ) {
      const page = await client.batchGetMaterial({ type, offset, count: MAX_PAGE_SIZE });
      counters.pages++;
      for (const m of page.items) {
        counters.items++;
        const data = { type, name: m.name, url: m.url, createTime: toDate(m.createTime), updateTime: toDate(m.updateTime), lastSeenAt: new Date() };
        await prisma.material.upsert({
          where: { accountId_mediaId: { accountId, mediaId: m.mediaId } },
          create: { accountId, mediaId: m.mediaId, ...data },
          update: data,
        });
        counters.upserts++;
        for (const [idx, n] of m.newsItems.entries()) {
          const item = newsItemData(n);
          await prisma.materialNewsItem.upsert({
            where: { accountId_mediaId_idx: { accountId, mediaId: m.mediaId, idx } },
            create: { accountId, mediaId: m.mediaId, idx, ...item },
            update: { ...item, updatedAt: new Date() },
          });
          counters.upserts++;
        }
      }
      offset += page.itemCount;
      if (page.itemCount === 0 || offset >= page.totalCount) break;
    }
  }
  return counters;
}
