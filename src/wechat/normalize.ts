// Validated raw responses → the camelCase types of types.ts. Also the page-level
// consistency check (item_count must match the items), which zod cannot express per field.
import { MalformedResponseError } from "./errors.ts";
import type { ListPage, MaterialItem, MaterialType, NewsItem, PublishedArticleItem } from "./types.ts";
import type { RawMaterialPage, RawNewsItem, RawPublishedPage } from "./schemas.ts";

export function toNewsItem(raw: RawNewsItem): NewsItem {
  return {
    title: raw.title ?? null,
    author: raw.author ?? null,
    digest: raw.digest ?? null,
    content: raw.content ?? null,
    contentSourceUrl: raw.content_source_url ?? null,
    thumbMediaId: raw.thumb_media_id ?? null,
    thumbUrl: raw.thumb_url ?? null,
    showCoverPic: raw.show_cover_pic ?? null,
    needOpenComment: raw.need_open_comment ?? null,
    onlyFansCanComment: raw.only_fans_can_comment ?? null,
    url: raw.url ?? null,
    isDeleted: raw.is_deleted === true || raw.is_deleted === 1,
  };
}

function checkItemCount(endpoint: string, itemCount: number, actual: number): void {
  if (itemCount !== actual) throw new MalformedResponseError(endpoint, "item_count", `is ${itemCount} but item holds ${actual} entries`);
}

type TimedItem = { create_time?: number | null; update_time?: number | null; content?: { create_time?: number | null; update_time?: number | null; news_item?: RawNewsItem[] | null } | null };

/**
 * Times and news items of a list item, wherever WeChat put them: `update_time` on the
 * item (docs, 2022) or inside `content` (2021 recording); `content.create_time` wins.
 */
function timesAndNews(it: TimedItem): Pick<PublishedArticleItem, "createTime" | "updateTime" | "newsItems"> {
  return {
    createTime: it.content?.create_time ?? it.create_time ?? null,
    updateTime: it.update_time ?? it.content?.update_time ?? null,
    newsItems: (it.content?.news_item ?? []).map(toNewsItem),
  };
}

export function toPublishedPage(raw: RawPublishedPage, endpoint: string, attempts: number): ListPage<PublishedArticleItem> {
  const items = raw.item ?? [];
  checkItemCount(endpoint, raw.item_count, items.length);
  return {
    totalCount: raw.total_count,
    itemCount: raw.item_count,
    attempts,
    items: items.map((it) => ({
      articleId: it.article_id,
      ...timesAndNews(it),
    })),
  };
}

export function toMaterialPage(raw: RawMaterialPage, type: MaterialType, endpoint: string, attempts: number): ListPage<MaterialItem> {
  const items = raw.item ?? [];
  checkItemCount(endpoint, raw.item_count, items.length);
  return {
    totalCount: raw.total_count,
    itemCount: raw.item_count,
    attempts,
    items: items.map((it) => ({
      mediaId: it.media_id,
      type,
      name: it.name ?? null,
      url: it.url ?? null,
      ...timesAndNews(it),
    })),
  };
}
