// The two item tables and their news-item tables share one shape each; SQL is built from
// this fixed whitelist only.
export const NEWS_ITEM_TABLES = {
  published: { table: "published_news_items", key: "article_id" },
  material: { table: "material_news_items", key: "media_id" },
} as const;

export type NewsItemTable = keyof typeof NEWS_ITEM_TABLES;

/** Items of a source: articles for `published`, materials (one type at a time) otherwise. */
export const ITEM_TABLES = {
  published: { table: "published_articles", key: "article_id", news: NEWS_ITEM_TABLES.published },
  material: { table: "materials", key: "media_id", news: NEWS_ITEM_TABLES.material },
} as const;
