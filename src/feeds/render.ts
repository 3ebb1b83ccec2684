// An account's feed in Atom 1.0, RSS 2.0 or JSON Feed 1.1. One entry per live news item of
// the latest live articles (each has its own title, link and body on WeChat). Written here,
// not by a feed library: every value is escaped as XML text (no CDATA), URLs that are not
// absolute http(s) are left out rather than failing the feed, and an enclosure is the
// mirrored image with its real type and size (never the hotlink-protected original).
import { element, emptyElement, textElement, xmlChars } from "./xml.ts";

export const FEED_FORMATS = { atom: "application/atom+xml; charset=utf-8", rss: "application/rss+xml; charset=utf-8", json: "application/feed+json; charset=utf-8" } as const;
export type FeedFormat = keyof typeof FEED_FORMATS;

export interface FeedEnclosure {
  url: string;
  type: string;
  length: number;
}

export interface FeedEntry {
  /** a stable IRI per news item (Atom ids must be IRIs; WeChat's links may change) */
  id: string;
  title: string;
  link: string | null;
  updated: Date;
  published: Date;
  summary: string | null;
  /** display HTML */
  contentHtml: string | null;
  author: string | null;
  enclosure: FeedEnclosure | null;
}

export interface FeedDocument {
  /** Atom feed id: the feed's own URL, or a URN without PUBLIC_URL */
  id: string;
  title: string;
  updated: Date;
  /** <PUBLIC_URL>/v1/feeds/<app_id> (without extension); null without PUBLIC_URL: no self links */
  selfBase: string | null;
  /** the site a feed reader links to (PUBLIC_URL); null: left out */
  home: string | null;
  entries: FeedEntry[];
}

/** An absolute http(s) URL as given, or null (a feed never carries anything else as a URL). */
export function feedUrl(raw: string | null | undefined): string | null {
  if (!raw) return null;
  try {
    const u = new URL(raw.trim());
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch {
    return null;
  }
}

const GENERATOR = "mpsync";
const LANGUAGE = "zh-CN";
const description = (title: string): string => `Articles published by the WeChat Official Account ${title}`;

function atom(d: FeedDocument): string {
  const self = d.selfBase;
  const head = [
    textElement("id", d.id),
    textElement("title", d.title),
    textElement("subtitle", description(d.title)),
    textElement("updated", d.updated.toISOString()),
    textElement("generator", GENERATOR),
    d.home ? emptyElement("link", { rel: "alternate", href: d.home }) : "",
    self ? emptyElement("link", { rel: "self", type: "application/atom+xml", href: `${self}.atom` }) : "",
  ];
  const entries = d.entries.map((e) =>
    element(
      "entry",
      [
        textElement("id", e.id),
        textElement("title", e.title, { type: "text" }),
        e.link ? emptyElement("link", { rel: "alternate", type: "text/html", href: e.link }) : "",
        textElement("updated", e.updated.toISOString()),
        textElement("published", e.published.toISOString()),
        e.author ? element("author", textElement("name", e.author)) : "",
        textElement("summary", e.summary, { type: "text" }),
        textElement("content", e.contentHtml, { type: "html" }),
        e.enclosure ? emptyElement("link", { rel: "enclosure", href: e.enclosure.url, type: e.enclosure.type, length: e.enclosure.length }) : "",
      ].join(""),
    ),
  );
  return `<?xml version="1.0" encoding="utf-8"?>\n${element("feed", [...head, ...entries].join("\n"), { xmlns: "http://www.w3.org/2005/Atom", "xml:lang": LANGUAGE })}\n`;
}

function rss(d: FeedDocument): string {
  const head = [
    textElement("title", d.title),
    // RSS requires a channel link: the feed's site, else the first entry's page
    textElement("link", d.home ?? d.entries.find((e) => e.link)?.link ?? undefined),
    textElement("description", description(d.title)),
    textElement("language", LANGUAGE),
    textElement("lastBuildDate", d.updated.toUTCString()),
    textElement("generator", GENERATOR),
    d.selfBase ? emptyElement("atom:link", { href: `${d.selfBase}.rss`, rel: "self", type: "application/rss+xml" }) : "",
  ];
  const items = d.entries.map((e) =>
    element(
      "item",
      [
        textElement("title", e.title),
        textElement("link", e.link),
        textElement("guid", e.id, { isPermaLink: "false" }),
        textElement("pubDate", e.published.toUTCString()),
        textElement("description", e.summary),
        textElement("content:encoded", e.contentHtml),
        textElement("dc:creator", e.author),
        e.enclosure ? emptyElement("enclosure", { url: e.enclosure.url, type: e.enclosure.type, length: e.enclosure.length }) : "",
      ].join(""),
    ),
  );
  const channel = element("channel", [...head, ...items].join("\n"));
  return `<?xml version="1.0" encoding="utf-8"?>\n${element("rss", channel, { version: "2.0", "xmlns:atom": "http://www.w3.org/2005/Atom", "xmlns:content": "http://purl.org/rss/1.0/modules/content/", "xmlns:dc": "http://purl.org/dc/elements/1.1/" })}\n`;
}

function json(d: FeedDocument): string {
  const text = (s: string | null): string | null => (s === null ? null : xmlChars(s));
  return JSON.stringify(
    {
      version: "https://jsonfeed.org/version/1.1",
      title: text(d.title),
      description: description(d.title),
      language: LANGUAGE,
      ...(d.home ? { home_page_url: d.home } : {}),
      ...(d.selfBase ? { feed_url: `${d.selfBase}.json` } : {}),
      items: d.entries.map((e) => ({
        id: e.id,
        title: text(e.title),
        ...(e.link ? { url: e.link } : {}),
        date_published: e.published.toISOString(),
        date_modified: e.updated.toISOString(),
        ...(e.summary ? { summary: text(e.summary) } : {}),
        ...(e.contentHtml ? { content_html: text(e.contentHtml) } : {}),
        ...(e.author ? { authors: [{ name: text(e.author) }] } : {}),
        ...(e.enclosure ? { image: e.enclosure.url, attachments: [{ url: e.enclosure.url, mime_type: e.enclosure.type, size_in_bytes: e.enclosure.length }] } : {}),
      })),
    },
    null,
    2,
  );
}

export function renderFeed(format: FeedFormat, d: FeedDocument): string {
  return format === "atom" ? atom(d) : format === "rss" ? rss(d) : json(d);
}
