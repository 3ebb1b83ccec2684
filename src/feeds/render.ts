// An account's feed in Atom 1.0, RSS 2.0 or JSON Feed 1.1, built with the `feed` library.
// One entry per live news item of the latest live articles (each has its own title, link
// and body on WeChat). JSON Feed: the library writes version 1; its output is lifted to
// 1.1 (the version URL, `authors` for the deprecated `author`, `language`).
import { Feed } from "feed";
import type { FeedRecords } from "../store/read-store.ts";

export const FEED_FORMATS = { atom: "application/atom+xml; charset=utf-8", rss: "application/rss+xml; charset=utf-8", json: "application/feed+json; charset=utf-8" } as const;
export type FeedFormat = keyof typeof FEED_FORMATS;

export interface FeedInput {
  appId: string;
  records: FeedRecords;
  /** absolute URL of this feed without its extension, e.g. https://host/v1/feeds/wx123 */
  selfBase: string;
}

export function renderFeed(format: FeedFormat, input: FeedInput): string {
  const { appId, records } = input;
  const title = records.accountName ?? appId;
  const feed = new Feed({
    id: `${input.selfBase}.atom`,
    title,
    description: `Articles published by the WeChat Official Account ${title}`,
    link: input.selfBase.replace(/\/v1\/feeds\/[^/]+$/, "/"),
    language: "zh-CN",
    updated: records.lastModified ?? new Date(0),
    generator: "mpsync",
    copyright: title,
    feedLinks: { atom: `${input.selfBase}.atom`, rss: `${input.selfBase}.rss`, json: `${input.selfBase}.json` },
  });
  for (const it of records.items) {
    const date = it.updateTime ?? it.createTime ?? new Date(0);
    // a stable IRI per news item (Atom ids must be IRIs; WeChat's links may change)
    const id = `urn:mpsync:${encodeURIComponent(appId)}:${encodeURIComponent(it.articleId)}:${it.idx}`;
    feed.addItem({
      id,
      guid: id,
      title: it.title ?? "(untitled)",
      link: it.url ?? input.selfBase,
      date,
      published: it.createTime ?? date,
      description: it.digest ?? undefined,
      content: it.content ?? undefined,
      image: it.thumbUrl ?? undefined,
      author: it.author ? [{ name: it.author }] : undefined,
    });
  }
  if (format === "atom") return feed.atom1();
  if (format === "rss") return feed.rss2();
  const { version: _v1, author, items, ...rest } = JSON.parse(feed.json1()) as { version: string; author?: unknown; items: { author?: unknown }[] };
  return JSON.stringify(
    {
      version: "https://jsonfeed.org/version/1.1",
      ...rest,
      language: "zh-CN",
      ...(author ? { authors: [author] } : {}),
      items: items.map(({ author: a, ...item }) => ({ ...item, ...(a ? { authors: [a] } : {}) })),
    },
    null,
    2,
  );
}
