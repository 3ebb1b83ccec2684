// The two news-item tables share one shape; SQL is built from this fixed whitelist only.
export const NEWS_ITEM_TABLES = {
  published: { table: "published_news_items", key: "article_id" },
  material: { table: "material_news_items", key: "media_id" },
} as const;

export type NewsItemTable = keyof typeof NEWS_ITEM_TABLES;
