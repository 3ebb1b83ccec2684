// Rows as the store writes them. Plain values: the store knows nothing of WeChat JSON;
// src/sync maps the client's types to these and computes the content hashes.

export interface NewsItemRow {
  idx: number;
  title: string | null;
  author: string | null;
  digest: string | null;
  content: string | null;
  contentSourceUrl: string | null;
  thumbMediaId: string | null;
  thumbUrl: string | null;
  showCoverPic: number | null;
  needOpenComment: number | null;
  onlyFansCanComment: number | null;
  url: string | null;
  isDeleted: boolean;
  contentHash: string;
}

export interface ArticleRow {
  articleId: string;
  createTime: Date | null;
  updateTime: Date | null;
  /** derived: every news item deleted */
  isDeleted: boolean;
  contentHash: string;
  newsItems: NewsItemRow[];
  /** characters removed from the row's text so Postgres can store it (not stored; the run counts them) */
  removedChars: number;
}

export interface MaterialRow {
  mediaId: string;
  type: string;
  name: string | null;
  url: string | null;
  createTime: Date | null;
  updateTime: Date | null;
  isDeleted: boolean;
  contentHash: string;
  newsItems: NewsItemRow[];
  /** characters removed from the row's text so Postgres can store it (not stored; the run counts them) */
  removedChars: number;
}

/** Which list a run walks, in store terms: the table family and, for materials, the type. */
export type StoreSource = { kind: "published" } | { kind: "material"; type: string };

export type ItemRow = ArticleRow | MaterialRow;

export function rowKey(row: ItemRow): string {
  return "articleId" in row ? row.articleId : row.mediaId;
}
