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

/** SEARCH_INDEX: whether the sync writes the search index (README "Search"); off until it meets its cost targets */
export const DEFAULT_SEARCH_INDEX = false;
