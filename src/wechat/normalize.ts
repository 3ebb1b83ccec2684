// Validated raw responses → the camelCase types of types.ts. Also the page-level
// consistency checks zod cannot express per field: a list response that contradicts
// itself or the request it answers (see contradiction.ts) is refused, never trusted.
import { ContradictoryResponseError } from "./contradiction.ts";
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

/** What the call asked for; the checks that need it are skipped when it is not given. */
export interface PageRequest {
  offset: number;
  count: number;
  /** content was requested (freepublish no_content: 0; every news material): each item must carry content.news_item */
  contentRequested: boolean;
}

type RawItem = { content?: { news_item?: RawNewsItem[] | null } | null };

/**
 * The checks on what one response shows against itself and its request: `item` present,
 * item_count equal to its length, no page shorter than min(count, total_count − offset)
 * (the true total with empty pages), and news items on every item when content was asked for.
 */
function checkPage<T extends RawItem>(endpoint: string, raw: { total_count: number; item_count: number; item?: T[] | null }, req: PageRequest | undefined): T[] {
  const items = raw.item;
  if (!items) throw new ContradictoryResponseError(endpoint, "item", "is missing");
  if (raw.item_count !== items.length) throw new ContradictoryResponseError(endpoint, "item_count", `is ${raw.item_count} but item holds ${items.length} entries`);
  if (!req) return items;
  const expected = Math.max(0, Math.min(req.count, raw.total_count - req.offset));
  if (items.length < expected) {
    throw new ContradictoryResponseError(endpoint, "item", `holds ${items.length} entries but total_count ${raw.total_count} at offset ${req.offset} (count ${req.count}) means ${expected}`);
  }
  if (req.contentRequested) {
    const i = items.findIndex((it) => !it.content?.news_item?.length);
    if (i >= 0) {
      const field = !items[i]!.content ? `item[${i}].content` : `item[${i}].content.news_item`;
      throw new ContradictoryResponseError(endpoint, field, "is missing or empty although content was requested");
    }
  }
  return items;
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

/** A list page: checked (checkPage), each item mapped. */
function toPage<R extends RawItem, T>(raw: { total_count: number; item_count: number; item?: R[] | null }, endpoint: string, attempts: number, req: PageRequest | undefined, item: (r: R) => T): ListPage<T> {
  const items = checkPage(endpoint, raw, req);
  return { totalCount: raw.total_count, itemCount: raw.item_count, attempts, items: items.map(item) };
}

export function toPublishedPage(raw: RawPublishedPage, endpoint: string, attempts: number, req?: PageRequest): ListPage<PublishedArticleItem> {
  return toPage(raw, endpoint, attempts, req, (it) => ({ articleId: it.article_id, ...timesAndNews(it) }));
}

export function toMaterialPage(raw: RawMaterialPage, type: MaterialType, endpoint: string, attempts: number, req?: PageRequest): ListPage<MaterialItem> {
  return toPage(raw, endpoint, attempts, req, (it) => ({ mediaId: it.media_id, type, name: it.name ?? null, url: it.url ?? null, ...timesAndNews(it) }));
}
