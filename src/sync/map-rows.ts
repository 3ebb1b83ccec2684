// The client's normalised items → store rows with their content hashes. The hashes are of
// what WeChat sent; the rows' text is what Postgres can store (storable-text.ts), so a
// real change is still a change and a row with a NUL is stored, not refused.
import type { MaterialItem, NewsItem, PublishedArticleItem } from "../wechat/types.ts";
import type { ArticleRow, MaterialRow, NewsItemRow } from "../store/rows.ts";
import { contentHash } from "./content-hash.ts";
import { TextCleaner } from "./storable-text.ts";

/** WeChat sends Unix seconds. */
export function fromUnixSeconds(s: number | null): Date | null {
  return s === null ? null : new Date(s * 1000);
}

function newsItemRow(n: NewsItem, idx: number, clean: TextCleaner): NewsItemRow {
  const fields = [
    n.title, n.author, n.digest, n.content, n.contentSourceUrl, n.thumbMediaId, n.thumbUrl,
    n.showCoverPic, n.needOpenComment, n.onlyFansCanComment, n.url, n.isDeleted,
  ];
  return {
    idx,
    title: clean.text(n.title),
    author: clean.text(n.author),
    digest: clean.text(n.digest),
    content: clean.text(n.content),
    contentSourceUrl: clean.text(n.contentSourceUrl),
    thumbMediaId: clean.text(n.thumbMediaId),
    thumbUrl: clean.text(n.thumbUrl),
    showCoverPic: n.showCoverPic,
    needOpenComment: n.needOpenComment,
    onlyFansCanComment: n.onlyFansCanComment,
    url: clean.text(n.url),
    isDeleted: n.isDeleted,
    contentHash: contentHash(fields),
  };
}

export function toArticleRow(a: PublishedArticleItem): ArticleRow {
  const clean = new TextCleaner();
  const newsItems = a.newsItems.map((n, idx) => newsItemRow(n, idx, clean));
  return {
    articleId: clean.text(a.articleId),
    createTime: fromUnixSeconds(a.createTime),
    updateTime: fromUnixSeconds(a.updateTime),
    // an article whose every news item is deleted is deleted
    isDeleted: newsItems.length > 0 && newsItems.every((n) => n.isDeleted),
    contentHash: contentHash([a.createTime, a.updateTime, newsItems.map((n) => n.contentHash)]),
    newsItems,
    removedChars: clean.removed,
  };
}

export function toMaterialRow(m: MaterialItem): MaterialRow {
  const clean = new TextCleaner();
  const newsItems = m.newsItems.map((n, idx) => newsItemRow(n, idx, clean));
  return {
    mediaId: clean.text(m.mediaId),
    type: m.type,
    name: clean.text(m.name),
    url: clean.text(m.url),
    createTime: fromUnixSeconds(m.createTime),
    updateTime: fromUnixSeconds(m.updateTime),
    isDeleted: false,
    contentHash: contentHash([m.type, m.name, m.url, m.createTime, m.updateTime, newsItems.map((n) => n.contentHash)]),
    newsItems,
    removedChars: clean.removed,
  };
}
