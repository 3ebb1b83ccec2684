// The client's normalised items → store rows with their content hashes.
import type { MaterialItem, NewsItem, PublishedArticleItem } from "../wechat/types.ts";
import type { ArticleRow, MaterialRow, NewsItemRow } from "../store/rows.ts";
import { contentHash } from "./content-hash.ts";

/** WeChat sends Unix seconds. */
export function fromUnixSeconds(s: number | null): Date | null {
  return s === null ? null : new Date(s * 1000);
}

export function toNewsItemRow(n: NewsItem, idx: number): NewsItemRow {
  const fields = [
    n.title, n.author, n.digest, n.content, n.contentSourceUrl, n.thumbMediaId, n.thumbUrl,
    n.showCoverPic, n.needOpenComment, n.onlyFansCanComment, n.url, n.isDeleted,
  ];
  return {
    idx,
    title: n.title,
    author: n.author,
    digest: n.digest,
    content: n.content,
    contentSourceUrl: n.contentSourceUrl,
    thumbMediaId: n.thumbMediaId,
    thumbUrl: n.thumbUrl,
    showCoverPic: n.showCoverPic,
    needOpenComment: n.needOpenComment,
    onlyFansCanComment: n.onlyFansCanComment,
    url: n.url,
    isDeleted: n.isDeleted,
    contentHash: contentHash(fields),
  };
}

export function toArticleRow(a: PublishedArticleItem): ArticleRow {
  const newsItems = a.newsItems.map(toNewsItemRow);
  return {
    articleId: a.articleId,
    createTime: fromUnixSeconds(a.createTime),
    updateTime: fromUnixSeconds(a.updateTime),
    // an article whose every news item is deleted is deleted
    isDeleted: newsItems.length > 0 && newsItems.every((n) => n.isDeleted),
    contentHash: contentHash([a.createTime, a.updateTime, newsItems.map((n) => n.contentHash)]),
    newsItems,
  };
}

export function toMaterialRow(m: MaterialItem): MaterialRow {
  const newsItems = m.newsItems.map(toNewsItemRow);
  return {
    mediaId: m.mediaId,
    type: m.type,
    name: m.name,
    url: m.url,
    createTime: fromUnixSeconds(m.createTime),
    updateTime: fromUnixSeconds(m.updateTime),
    isDeleted: false,
    contentHash: contentHash([m.type, m.name, m.url, m.createTime, m.updateTime, newsItems.map((n) => n.contentHash)]),
    newsItems,
  };
}
