import type { SimPushAttempt, SimPushEvent, SimPushOptions } from "./push.ts";
export type { SimPushAttempt, SimPushEvent, SimPushOptions };
// Contract of the WeChat API simulator (src/simulator/). Tests, the demo and the
// benchmark start it in-process (startSimulator) or as `mpsync simulator`, and talk to
// it over real HTTP exactly as mpsync talks to api.weixin.qq.com.

export type SimMaterialType = "image" | "video" | "voice" | "news";

export interface SimNewsItem {
  title: string;
  author: string;
  digest: string;
  content: string;
  content_source_url: string;
  thumb_media_id: string;
  thumb_url: string;
  show_cover_pic: number;
  need_open_comment: number;
  only_fans_can_comment: number;
  url: string;
  is_deleted: boolean;
}

export interface SimArticle {
  article_id: string;
  create_time: number;
  update_time: number;
  news_item: SimNewsItem[];
}

export interface SimMaterial {
  media_id: string;
  type: SimMaterialType;
  name: string;
  /** images only (video/voice have none, as recorded responses show) */
  url?: string;
  create_time: number;
  update_time: number;
  /** news materials only */
  news_item?: SimNewsItem[];
}

export interface SeedOptions {
  seed: number;
  published: number;
  /** news items per article: 1..max (default 8) */
  maxNewsItems?: number;
  /** average HTML body size in bytes (default 2000) */
  contentBytes?: number;
  /** fraction of news items flagged is_deleted (default 0.05) */
  deletedNewsItemRate?: number;
  materials: Partial<Record<SimMaterialType, number>>;
}

/**
 * Bad answers of the malformedPages fault. Shape errors: "missing-id" (one item loses its
 * key), "item-count" (item_count disagrees with item). Contradictions WeChat has sent in
 * incidents: "empty-list" ({total_count: 0, item_count: 0, item: []}), "no-item" (the same
 * without `item`), "empty-page" (the true total_count, no items), "no-content" (items
 * without `content`), "empty-news-item" (content.news_item: []).
 */
export const MALFORMED_KINDS = ["missing-id", "item-count", "empty-list", "no-item", "empty-page", "no-content", "empty-news-item"] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

/** Fault injection; each applies to the endpoints listed (all list/count endpoints when omitted). */
export interface FaultOptions {
  latencyMs?: number;
  jitterMs?: number;
  /** probability of {errcode:-1} per request */
  systemBusyRate?: number;
  /** probability of HTTP 500/502/503 */
  http5xxRate?: number;
  /** probability of a destroyed socket (connection reset) */
  resetRate?: number;
  /** probability of a truncated body */
  truncateRate?: number;
  /** the next N requests answer 45011 */
  rateLimitBurst?: number;
  /** after this many list calls, answer 45009 until reset */
  quotaBudget?: number;
  /** fixed errcode for every request (e.g. 40125, 48001), until cleared */
  forceErrcode?: number;
  /** the next N list responses get a malformed or contradictory body (see malformedKind) */
  malformedPages?: number;
  /** which bad answer malformedPages gives (default "alternate": missing-id first, then item-count) */
  malformedKind?: MalformedKind | "alternate";
  /** seed of the fault PRNG (default 1); reseeded on every setFaults, so runs repeat */
  seed?: number;
  /** endpoint paths ("/cgi-bin/token") or their tails ("freepublish/batchget") */
  endpoints?: string[];
}

/** Response-body quirks seen in real WeChat responses; all off by default. */
export interface BodyQuirks {
  /** Content-Type: text/plain instead of application/json */
  textPlain?: boolean;
  /** a UTF-8 BOM before the JSON */
  bom?: boolean;
  /** titles carry a raw TAB and U+0001, written unescaped inside the JSON string */
  controlChars?: boolean;
  /** the 2021 recording shape: published items without update_time, content.create_time + content.update_time instead */
  updateTimeInContent?: boolean;
  /** unknown extra fields on the page, the items and the news items */
  extraFields?: boolean;
  /** escape "/" as "\/" like WeChat (default true) */
  escapeSlashes?: boolean;
  /** endpoints the quirks apply to (default: every WeChat endpoint) */
  endpoints?: string[];
}

export interface SimulatorOptions {
  port?: number; // 0 = any free port (default)
  host?: string; // default 127.0.0.1
  seed?: SeedOptions;
  apps?: { appId: string; secret: string }[];
  component?: { appId: string; secret: string; verifyTicket: string; authorizers: { appId: string; refreshToken: string }[] };
  tokenTtlSeconds?: number; // default 7200
  /** legacy /cgi-bin/token: how long the previous token keeps working (default 300) */
  legacyGraceSeconds?: number;
  faults?: FaultOptions;
  quirks?: BodyQuirks;
  /** the image CDN: where content's image URLs point, hotlink protection, faults */
  media?: SimMediaOptions;
  /** per-API daily quotas: API path → calls a day (45009 beyond); unlimited when absent */
  dailyLimits?: Record<string, number>;
  /** message push: a publish sends PUBLISHJOBFINISH there (see push.ts); absent: no pushes */
  push?: SimPushOptions;
}

/** What one CDN path answers instead of its image (for `times` requests, or always). */
export interface SimMediaFault {
  /** an HTTP status with an HTML body (404, 410, 500, 503, …) */
  status?: number;
  /** no answer at all: the client's timeout decides */
  hang?: boolean;
  /** status 200 with this Content-Type and an HTML body (e.g. "text/html") */
  contentType?: string;
  /** status 200, the image's Content-Type, and a body of this many bytes */
  bytes?: number;
  /** fault only the first N requests, then serve the image */
  times?: number;
}

export interface SimMediaOptions {
  /**
   * Origin of the image URLs in content (thumb_url, image materials' url, <img data-src>,
   * CSS backgrounds): "self" names this simulator, which serves them; default
   * "http://mmbiz.qpic.cn", as WeChat.
   */
  origin?: string;
  /** a foreign Referer gets a placeholder image, status 200 (default true, as the real CDN) */
  hotlinkProtection?: boolean;
  latencyMs?: number;
  /** by URL path (no query), e.g. "/mmbiz_jpg/abc…/640" */
  faults?: Record<string, SimMediaFault>;
}

export interface SimMediaCounters {
  /** path?query -> requests */
  requests: Record<string, number>;
  /** requests that carried any Referer */
  withReferer: number;
  /** placeholder answers (foreign Referer) */
  placeholders: number;
}

export interface SimulatorCounters {
  /** endpoint path -> requests */
  calls: Record<string, number>;
  /** `${endpoint} ${errcode}` -> responses (0 = success) */
  errcodes: Record<string, number>;
  /** `${endpoint} ${fault}` -> injected transport faults (http500, reset, truncated, malformed) */
  faults: Record<string, number>;
}

/** Called before each list request is answered: tests inject drift between pages here. */
export type RequestHook = (req: { endpoint: string; body: Record<string, unknown>; callIndex: number }) => void | Promise<void>;

export interface Simulator {
  readonly url: string;
  close(): Promise<void>;
  /** the current lists, newest first, as the API would return them */
  published(): SimArticle[];
  materials(type: SimMaterialType): SimMaterial[];
  /**
   * Publishes `count` new articles (ids and content follow the seed), at `at` when given
   * (replaying an earlier publish; by default now, strictly after the newest).
   */
  publish(count?: number, at?: Date): SimArticle[];
  deleteArticle(articleId: string): void;
  deleteNewsItem(articleId: string, idx: number): void;
  editArticle(articleId: string, patch?: Partial<SimNewsItem>, idx?: number): void;
  addMaterial(type: SimMaterialType, count?: number): SimMaterial[];
  deleteMaterial(mediaId: string): void;
  editMaterial(mediaId: string, patch?: { name?: string }): void;
  setFaults(faults: FaultOptions): void;
  onRequest(hook: RequestHook | undefined): void;
  counters(): SimulatorCounters;
  resetCounters(): void;
  /** resolves once no API or CDN request is in progress, including ones their client abandoned
   * (they still run out their latency and are counted); await it before resetCounters */
  settled(): Promise<void>;
  /** expire every issued token now (forces 42001 on the next call) */
  expireTokens(): void;
  /** replace the body quirks (an empty object turns them all off) */
  setQuirks(quirks: BodyQuirks): void;
  /** the current refresh token of a third-party authorizer (what a client should have stored) */
  authorizerRefreshToken(authorizerAppId: string): string | undefined;
  /** the origin content's image URLs name (this simulator's url under media.origin "self") */
  readonly mediaOrigin: string;
  /** the bytes and type the CDN serves for a URL of its images (no Referer) */
  mediaBytes(url: string): { bytes: Buffer; contentType: string };
  /** replace the CDN faults and latency */
  setMediaFaults(f: { latencyMs?: number; byPath?: Record<string, SimMediaFault> }): void;
  /** CDN requests since the last resetCounters */
  mediaCounters(): SimMediaCounters;
  /** replace the per-API daily limits (API path → calls a day); the day's used counts stay */
  setDailyLimits(limits: Record<string, number>): void;
  /** spend `calls` of an API's quota as the account owner's other systems would */
  spendQuota(path: string, calls: number): void;
  /** a new quota day (00:00 Asia/Shanghai): every API's used count starts at 0 */
  newQuotaDay(): void;
  /** the quota bookkeeping: limits, used counts, clear_quota calls this month */
  quota(): { limits: Record<string, number>; used: Record<string, number>; clears: number };
  /** where and how publishes are pushed (undefined: not at all) */
  setPush(options: SimPushOptions | undefined): void;
  /** sends one PUBLISHJOBFINISH (any status; a given publishId replays one) with WeChat's retries */
  pushEvent(e: SimPushEvent): Promise<SimPushAttempt[]>;
  /** every push attempt so far */
  pushLog(): SimPushAttempt[];
  /** resolves once every push sent so far has ended */
  pushesSettled(): Promise<void>;
}

/** Error codes the simulator answers with; see src/simulator/README.md. */
export const SIM_ERRCODES = {
  systemBusy: -1,
  invalidToken: 40001,
  invalidGrantType: 40002,
  invalidMediaType: 40007,
  invalidAppId: 40013,
  invalidSecret: 40125,
  tokenMissing: 41001,
  appIdMissing: 41002,
  secretMissing: 41004,
  tokenExpired: 42001,
  /** count outside 1..20, negative offset, body not a JSON object */
  invalidParameter: 47001,
  quotaExhausted: 45009,
  rateLimited: 45011,
  invalidVerifyTicket: 61006,
  invalidRefreshToken: 61023,
  cgiPathNotFound: 76021,
  /** freepublish/getarticle: no such article_id */
  articleNotFound: 53600,
  /** clear_quota called more than 10 times this month */
  clearQuotaLimit: 48006,
} as const;

export const SIM_DEFAULT_APP = { appId: "wxsimulator000001", secret: "simulator-secret" } as const;
