// The read API's JSON: snake_case fields, ISO timestamps, news items in idx order.
import { iso } from "../format/iso.ts";
import type { ArticleRecord, MaterialRecord, NewsItemRecord } from "../store/read-store.ts";
import type { DisplayFields } from "../media/display-fields.ts";

function newsItemOut(n: NewsItemRecord, withContent: boolean, media: DisplayFields) {
  return {
    idx: n.idx,
    title: n.title,
    author: n.author,
    digest: n.digest,
    ...(withContent ? { content: n.content, content_html: media.contentHtml(n.content) } : {}),
    content_source_url: n.contentSourceUrl,
    thumb_media_id: n.thumbMediaId,
    thumb_url: n.thumbUrl,
    thumb_mirror_url: media.mirrorUrl(n.thumbUrl),
    show_cover_pic: n.showCoverPic,
    need_open_comment: n.needOpenComment,
    only_fans_can_comment: n.onlyFansCanComment,
    url: n.url,
    is_deleted: n.isDeleted,
  };
}

/** Lists leave out the HTML bodies; one article carries them (original and display-ready). */
export function articleOut(a: ArticleRecord, withContent: boolean, media: DisplayFields) {
  const first = a.newsItems.find((n) => !n.isDeleted) ?? a.newsItems[0];
  return {
    article_id: a.articleId,
    account: a.appId,
    create_time: iso(a.createTime),
    update_time: iso(a.updateTime),
    is_deleted: a.isDeleted,
    deleted_at: iso(a.deletedAt),
    title: first?.title ?? null,
    digest: first?.digest ?? null,
    url: first?.url ?? null,
    thumb_url: first?.thumbUrl ?? null,
    thumb_mirror_url: media.mirrorUrl(first?.thumbUrl),
    news_items: a.newsItems.map((n) => newsItemOut(n, withContent, media)),
  };
}

export function materialOut(m: MaterialRecord, media: DisplayFields) {
  return {
    media_id: m.mediaId,
    account: m.appId,
    type: m.type,
    name: m.name,
    url: m.url,
    ...(m.type === "image" ? { mirror_url: media.mirrorUrl(m.url) } : {}),
    create_time: iso(m.createTime),
    update_time: iso(m.updateTime),
    is_deleted: m.isDeleted,
    deleted_at: iso(m.deletedAt),
    ...(m.newsItems
      ? {
          news_items: m.newsItems.map((n) => ({ idx: n.idx, title: n.title, author: n.author, digest: n.digest, url: n.url, thumb_url: n.thumbUrl, thumb_mirror_url: media.mirrorUrl(n.thumbUrl), thumb_media_id: n.thumbMediaId, is_deleted: n.isDeleted })),
        }
      : {}),
  };
}
