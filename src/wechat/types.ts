// The client's public contract: WeChat's list responses normalised into plain,
// validated values. The sync engine sees only these types, never raw JSON.

export const MATERIAL_TYPES = ["image", "video", "voice", "news"] as const;
export type MaterialType = (typeof MATERIAL_TYPES)[number];

/** WeChat's largest page of either list (`count` 1..20). */
export const MAX_PAGE_SIZE = 20;

/** One news item (图文) of a published article or of a news material, as WeChat sends it. */
export interface NewsItem {
  title: string | null;
  author: string | null;
  digest: string | null;
  /** HTML body; null when requested with no_content=1 or absent */
  content: string | null;
  contentSourceUrl: string | null;
  thumbMediaId: string | null;
  thumbUrl: string | null;
  showCoverPic: number | null;
  needOpenComment: number | null;
  onlyFansCanComment: number | null;
  url: string | null;
  /** WeChat's own flag (freepublish); false when absent */
  isDeleted: boolean;
}

export interface PublishedArticleItem {
  articleId: string;
  /** Unix seconds; from content.create_time when present */
  createTime: number | null;
  /** Unix seconds; item.update_time, else content.update_time */
  updateTime: number | null;
  newsItems: NewsItem[];
}

export interface MaterialItem {
  mediaId: string;
  type: MaterialType;
  name: string | null;
  /** image url; video/voice items usually have none */
  url: string | null;
  createTime: number | null;
  updateTime: number | null;
  /** only for type news */
  newsItems: NewsItem[];
}

export interface ListPage<T> {
  totalCount: number;
  itemCount: number;
  items: T[];
  /** HTTP requests this call made, retries and token refreshes included */
  attempts: number;
}

export interface MaterialCount {
  image: number;
  video: number;
  voice: number;
  news: number;
}

export interface ApiQuota {
  dailyLimit: number;
  used: number;
  remain: number;
}

/** Bounds requests in flight: each HTTP exchange (request and body) of a call runs inside `run`. */
export interface RequestSlots {
  run<T>(fn: () => Promise<T>): Promise<T>;
}

export interface CallOptions {
  signal?: AbortSignal;
  /**
   * the caller's bound on requests in flight (the engine's per-account limiter): held for
   * each HTTP exchange only, not while the answer is parsed nor between retries
   */
  slots?: RequestSlots;
}

/** What the sync engine needs from WeChat. One instance per account. */
export interface WeChatClient {
  readonly appId: string;
  /** POST /cgi-bin/freepublish/batchget; count 1..MAX_PAGE_SIZE (a larger count throws before any request) */
  batchGetPublished(args: { offset: number; count: number; noContent?: boolean } & CallOptions): Promise<ListPage<PublishedArticleItem>>;
  /** POST /cgi-bin/material/batchget_material; count 1..MAX_PAGE_SIZE */
  batchGetMaterial(args: { type: MaterialType; offset: number; count: number } & CallOptions): Promise<ListPage<MaterialItem>>;
  /** POST /cgi-bin/freepublish/getarticle: one published article (ArticleNotFoundError: errcode 53600, no such article) */
  getArticle(articleId: string, opts?: CallOptions): Promise<PublishedArticleItem & { attempts: number }>;
  /** GET /cgi-bin/material/get_materialcount */
  getMaterialCount(opts?: CallOptions): Promise<MaterialCount>;
  /** POST /cgi-bin/openapi/quota/get */
  getQuota(cgiPath: string, opts?: CallOptions): Promise<ApiQuota>;
  /**
   * Checks the credentials for real where that disturbs no other token holder (stable: a
   * non-forcing stable_token call), then makes one API call (get_materialcount) with the
   * shared token. Throws the WeChat error of the first step that fails.
   */
  checkCredentials(opts?: CallOptions): Promise<CredentialCheck>;
}

export interface CredentialCheck {
  /** the secret was sent to WeChat and accepted (false: only the token in use was tried) */
  secretChecked: boolean;
  /** what could not be checked, and why (null when everything was) */
  unchecked: string | null;
}

/** Observer for metrics: one event per HTTP request the client makes. */
export interface RequestEvent {
  appId: string;
  /** path without query, e.g. /cgi-bin/freepublish/batchget */
  endpoint: string;
  /** WeChat errcode, 0 for success, null when no JSON body was read */
  errcode: number | null;
  /** HTTP status, null on a transport failure */
  status: number | null;
  durationMs: number;
}

export interface ClientObserver {
  onRequest?(event: RequestEvent): void;
  onTokenRefresh?(event: { appId: string; kind: string }): void;
}
