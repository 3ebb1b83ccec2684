// Defaults of settings that more than one layer needs: each written once, here.
// (Settings only loadConfig reads keep their defaults next to their validation.)

export const DEFAULT_WECHAT_BASE_URL = "https://api.weixin.qq.com";

/** WECHAT_MAX_RESPONSE_BYTES: refuse WeChat response bodies larger than this */
export const DEFAULT_WECHAT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** Postgres pool limits (DATABASE_POOL_SIZE, DATABASE_*_TIMEOUT_MS) */
export interface DbPoolSettings {
  poolSize: number;
  connectionTimeoutMs: number;
  idleTimeoutMs: number;
  /** 0: no statement timeout */
  statementTimeoutMs: number;
}

export const DEFAULT_DB_POOL: Readonly<DbPoolSettings> = { poolSize: 10, connectionTimeoutMs: 10_000, idleTimeoutMs: 30_000, statementTimeoutMs: 60_000 };

/** An account's schedule when its configuration names none: incremental every 15 minutes, full daily at 03:00 UTC. */
export const DEFAULT_SCHEDULE = { incrementalEveryMinutes: 15, fullCron: "0 3 * * *", enabled: true } as const;

/** The planner and the quota budget (MPSYNC_PLANNER_TICK_MS, MPSYNC_FULL_WINDOW_MINUTES, MPSYNC_QUOTA_*) */
export interface PlannerSettings {
  /** how often one worker enqueues what is due */
  tickMs: number;
  /** full runs start at their fullCron time plus a stable offset inside this window */
  fullWindowMinutes: number;
  /** % of each API's daily limit left for the owner's other systems */
  quotaReservePercent: number;
  /** a quota reading older than this is read again before the next run */
  quotaRefreshMinutes: number;
  /** how often the worker looks for a changed accounts file (SIGHUP: at once) */
  reloadMs: number;
}

export const DEFAULT_PLANNER: Readonly<PlannerSettings> = { tickMs: 5_000, fullWindowMinutes: 120, quotaReservePercent: 10, quotaRefreshMinutes: 60, reloadMs: 30_000 };

/** Feed bounds (FEED_MAX_ENTRIES, FEED_MAX_BYTES): the newest 50 news items, 2 MiB at most. */
export const DEFAULT_FEED_LIMITS = { maxEntries: 50, maxBytes: 2 * 1024 * 1024 } as const;

/**
 * The console's session (CONSOLE_SESSION_IDLE_MINUTES, CONSOLE_SESSION_MAX_HOURS): a login ends
 * after `idleMs` without a request, and `maxMs` after the login whatever happens.
 */
export interface ConsoleSessionSettings {
  idleMs: number;
  maxMs: number;
}

export const DEFAULT_CONSOLE_SESSION: Readonly<ConsoleSessionSettings> = { idleMs: 60 * 60_000, maxMs: 8 * 60 * 60_000 };

/** HTTP_AUTH_FAILURES_PER_MINUTE: wrong admin/read tokens and failed console logins one client may make per minute before 429 */
export const DEFAULT_AUTH_FAILURES_PER_MINUTE = 10;

/** The largest request body any route takes (a larger one is a 413); the console's forms take at most HTTP_FORM_BODY_LIMIT_BYTES */
export const HTTP_BODY_LIMIT_BYTES = 64 * 1024;
export const HTTP_FORM_BODY_LIMIT_BYTES = 16 * 1024;

/** SEARCH_INDEX: whether the sync writes the search index (README "Search"); off until it meets its cost targets */
export const DEFAULT_SEARCH_INDEX = false;

/**
 * Media downloads (MEDIA_CONNECT_TIMEOUT_MS, MEDIA_TIMEOUT_MS, MEDIA_HOST_FAILURES): a TCP/TLS connect must
 * finish within `connectTimeoutMs`, the answer's headers and each body gap within `timeoutMs`; after
 * `hostFailures` consecutive "host is down" failures (name does not resolve, refused, reset, connect
 * timeout, no response) a pass stops asking that host and leaves its assets for a later pass.
 * Redirects are followed by hand, at most `maxRedirects` hops, each checked like the first URL.
 */
export const DEFAULT_MEDIA_DOWNLOAD = { connectTimeoutMs: 5_000, timeoutMs: 30_000, hostFailures: 3, maxRedirects: 3 } as const;
