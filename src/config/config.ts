// One validated configuration from the environment and an optional accounts file
// (MPSYNC_ACCOUNTS_FILE, JSON or YAML). Secrets live only here, in memory: they are
// never written to the database, logs or API responses.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { parse as parseYaml } from "yaml";
import { ConfigError } from "./errors.ts";
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, parseDatabaseUrl, parseRedisUrl } from "./database.ts";
import {
  DEFAULT_AUTH_FAILURES_PER_MINUTE,
  DEFAULT_CONSOLE_SESSION,
  DEFAULT_DB_POOL,
  DEFAULT_FEED_LIMITS,
  DEFAULT_PLANNER,
  DEFAULT_SCHEDULE,
  DEFAULT_SEARCH_INDEX,
  DEFAULT_WECHAT_BASE_URL,
  DEFAULT_WECHAT_MAX_RESPONSE_BYTES,
  type ConsoleSessionSettings,
  type DbPoolSettings,
  type PlannerSettings,
} from "./defaults.ts";
import { loadMediaConfig, type MediaConfig } from "./media.ts";
import { accountWebhookSchema, loadChangeFeedConfig, type ChangeFeedConfig } from "./change-feed.ts";
import { boolSetting, intSetting } from "./settings.ts";
import { parseTrustProxy, type TrustProxy } from "./trust-proxy.ts";
import { baseUrlSetting } from "./public-url.ts";
import { envPushConfig, pushSchema } from "./push.ts";

export const TOKEN_KINDS = ["stable", "legacy", "authorizer"] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

const scheduleSchema = z
  .object({
    incrementalEveryMinutes: z.number().int().min(1).max(1440).default(DEFAULT_SCHEDULE.incrementalEveryMinutes),
    /** cron pattern of the periodic full run, in UTC; checked here so a typo fails at start-up, not at the first schedule */
    fullCron: z
      .string()
      .regex(/^\s*[0-9*/,?LW#-]+(\s+[0-9A-Za-z*/,?LW#-]+){4,5}\s*$/, "must be a cron pattern of 5 or 6 fields, e.g. \"0 3 * * *\"")
      .default(DEFAULT_SCHEDULE.fullCron),
    enabled: z.boolean().default(DEFAULT_SCHEDULE.enabled),
  })
  .strict();

/**
 * The deletion circuit breaker: a consistent full walk that finds more than `rows` AND more
 * than `percent` % of a source's live rows absent holds those deletions until the next
 * consistent full walk confirms them (or `mpsync deletions apply`).
 */
export const DEFAULT_DELETION_BREAKER = { percent: 20, rows: 10 } as const;

const deletionBreakerSchema = z
  .object({
    percent: z.number().min(0).max(100).default(DEFAULT_DELETION_BREAKER.percent),
    rows: z.number().int().min(0).default(DEFAULT_DELETION_BREAKER.rows),
  })
  .strict();

export type DeletionBreakerConfig = z.infer<typeof deletionBreakerSchema>;

const accountSchema = z
  .object({
    appId: z.string().min(1),
    name: z.string().optional(),
    tokenKind: z.enum(TOKEN_KINDS).default("stable"),
    appSecret: z.string().min(1).optional(),
    /** third-party platform (tokenKind authorizer) */
    componentAppId: z.string().min(1).optional(),
    componentAppSecret: z.string().min(1).optional(),
    componentVerifyTicket: z.string().min(1).optional(),
    authorizerRefreshToken: z.string().min(1).optional(),
    /** WeChat requests this account has in flight at once, per process, across its sources */
    concurrency: z.number().int().min(1).max(16).default(2),
    schedule: scheduleSchema.default(DEFAULT_SCHEDULE),
    /** absent when not configured: DEFAULT_DELETION_BREAKER applies */
    deletionBreaker: deletionBreakerSchema.optional(),
    /** this account's own webhook endpoints (the change feed); absent: none */
    webhooks: z.array(accountWebhookSchema).optional(),
    /** message push (the account's server settings on WeChat's side); absent: /wechat/push refuses it */
    push: pushSchema.optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.tokenKind === "authorizer") {
      for (const k of ["componentAppId", "componentAppSecret", "componentVerifyTicket", "authorizerRefreshToken"] as const) {
        if (a[k] === undefined) ctx.addIssue({ code: "custom", path: [k], message: `is required for tokenKind authorizer` });
      }
    } else if (a.appSecret === undefined) {
      ctx.addIssue({ code: "custom", path: ["appSecret"], message: `is required for tokenKind ${a.tokenKind}` });
    }
  });

export type AccountConfig = z.infer<typeof accountSchema>;

const accountsFileSchema = z.object({ accounts: z.array(accountSchema).min(1) }).strict();

/** The planner settings of a configuration (defaults when it names none). */
export function plannerSettings(config: Pick<AppConfig, "planner">): PlannerSettings {
  return config.planner ?? DEFAULT_PLANNER;
}

export interface AppConfig {
  databaseUrl: string;
  db: DbPoolSettings;
  redisUrl: string;
  /** prefix of every Redis key mpsync writes (tokens, locks, BullMQ queues) */
  redisPrefix: string;
  logLevel: string;
  /** LOG_FORMAT: json | pretty; absent: pretty on a terminal, JSON otherwise */
  logFormat?: "json" | "pretty";
  wechatBaseUrl: string;
  /** refuse WeChat response bodies larger than this */
  wechatMaxResponseBytes: number;
  accounts: AccountConfig[];
  /** lockDurationMs: how long a job's lock lives without renewal, so how soon a dead worker's job is resumed elsewhere */
  worker: { concurrency: number; shutdownTimeoutMs: number; lockDurationMs: number };
  /** media mirroring (MEDIA_*); absent in configurations built by hand: defaults (src/config/media.ts) */
  media?: MediaConfig;
  http: {
    port: number | undefined;
    host: string;
    adminToken: string | undefined;
    /** READ_API_TOKEN: bearer token of the read API's protected routes (absent: those routes are disabled unless ADMIN_TOKEN is set) */
    readApiToken?: string;
    /** READ_API_PUBLIC (default true): false makes every /v1 route need a token */
    readApiPublic?: boolean;
    /** HTTP_TRUST_PROXY: the proxies whose X-Forwarded-For/-Proto are believed (client address of the rate limits; Secure cookies behind TLS) */
    trustProxy?: TrustProxy;
    /** the console's session lifetimes; DEFAULT_CONSOLE_SESSION when absent */
    consoleSession?: ConsoleSessionSettings;
    /** HTTP_AUTH_FAILURES_PER_MINUTE; DEFAULT_AUTH_FAILURES_PER_MINUTE when absent */
    authFailuresPerMinute?: number;
    /** PUBLIC_URL without a trailing slash: the base of every absolute URL mpsync hands out (src/config/public-url.ts) */
    publicUrl?: string;
  };
  /** the change feed (webhooks, retention); absent in configurations built by hand: defaults (src/config/change-feed.ts) */
  changes?: ChangeFeedConfig;
  /** the planner and the quota budget; DEFAULT_PLANNER when absent */
  planner?: PlannerSettings;
  /** feed bounds (FEED_MAX_ENTRIES, FEED_MAX_BYTES); DEFAULT_FEED_LIMITS when absent */
  feeds?: { maxEntries: number; maxBytes: number };
  /** SEARCH_INDEX: the sync writes the search index and /v1/search answers; absent in configurations built by hand: DEFAULT_SEARCH_INDEX */
  search?: { index: boolean };
}

/** Whether search is on (SEARCH_INDEX); the default for configurations built by hand. */
export function searchIndexOn(config: Pick<AppConfig, "search">): boolean {
  return config.search?.index ?? DEFAULT_SEARCH_INDEX;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];


function collect(problems: string[], fn: () => string): string {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ConfigError) problems.push(...e.problems);
    else throw e;
    return "";
  }
}

function formatIssues(prefix: string, error: z.ZodError): string[] {
  return error.issues.map((i) => `${prefix}${i.path.length ? i.path.join(".") : ""} ${i.message}`.trim());
}

function loadAccountsFile(file: string, problems: string[]): AccountConfig[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    problems.push(`MPSYNC_ACCOUNTS_FILE cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"}: ${file})`);
    return [];
  }
  let data: unknown;
  try {
    data = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    problems.push(`MPSYNC_ACCOUNTS_FILE is not valid ${/\.ya?ml$/i.test(file) ? "YAML" : "JSON"}: ${(e as Error).message.split("\n")[0]}`);
    return [];
  }
  const parsed = accountsFileSchema.safeParse(data);
  if (!parsed.success) {
    problems.push(...formatIssues("MPSYNC_ACCOUNTS_FILE: ", parsed.error));
    return [];
  }
  const seen = new Set<string>();
  for (const a of parsed.data.accounts) {
    if (seen.has(a.appId)) problems.push(`MPSYNC_ACCOUNTS_FILE: appId ${a.appId} is listed twice`);
    seen.add(a.appId);
  }
  return parsed.data.accounts;
}

/**
 * Reads and validates every setting. Throws one ConfigError listing every problem.
 * `requireAccounts` is false for commands that need no WeChat account (migrate, simulator).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, opts: { requireAccounts?: boolean } = {}): AppConfig {
  const problems: string[] = [];
  const databaseUrl = collect(problems, () => parseDatabaseUrl(env.DATABASE_URL || DEFAULT_DATABASE_URL));
  const redisUrl = collect(problems, () => parseRedisUrl(env.REDIS_URL || DEFAULT_REDIS_URL));
  const logLevel = env.LOG_LEVEL || "info";
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")} (got "${logLevel}")`);
  const logFormat = env.LOG_FORMAT || undefined;
  if (logFormat !== undefined && logFormat !== "json" && logFormat !== "pretty") problems.push(`LOG_FORMAT must be json or pretty (got "${logFormat}")`);
  const wechatBaseUrl = (env.WECHAT_API_BASE_URL || DEFAULT_WECHAT_BASE_URL).replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]+/.test(wechatBaseUrl)) problems.push(`WECHAT_API_BASE_URL must be an http(s) URL (got "${wechatBaseUrl}")`);
  const wechatMaxResponseBytes = intSetting(env, "WECHAT_MAX_RESPONSE_BYTES", DEFAULT_WECHAT_MAX_RESPONSE_BYTES, 64 * 1024, 1024 * 1024 * 1024, problems);
  const redisPrefix = env.MPSYNC_REDIS_PREFIX || "mpsync";
  if (!/^[A-Za-z0-9:_-]+$/.test(redisPrefix)) problems.push(`MPSYNC_REDIS_PREFIX may hold only letters, digits, ':', '_' and '-'`);

  const db = {
    poolSize: intSetting(env, "DATABASE_POOL_SIZE", DEFAULT_DB_POOL.poolSize, 1, 200, problems),
    connectionTimeoutMs: intSetting(env, "DATABASE_CONNECT_TIMEOUT_MS", DEFAULT_DB_POOL.connectionTimeoutMs, 100, 600_000, problems),
    idleTimeoutMs: intSetting(env, "DATABASE_IDLE_TIMEOUT_MS", DEFAULT_DB_POOL.idleTimeoutMs, 100, 3_600_000, problems),
    statementTimeoutMs: intSetting(env, "DATABASE_STATEMENT_TIMEOUT_MS", DEFAULT_DB_POOL.statementTimeoutMs, 0, 3_600_000, problems),
  };
  const worker = {
    concurrency: intSetting(env, "WORKER_CONCURRENCY", 4, 1, 64, problems),
    shutdownTimeoutMs: intSetting(env, "WORKER_SHUTDOWN_TIMEOUT_MS", 30_000, 1_000, 600_000, problems),
    // 30 s: BullMQ's own default
    lockDurationMs: intSetting(env, "WORKER_LOCK_DURATION_MS", 30_000, 1_000, 600_000, problems),
  };
  const planner: PlannerSettings = {
    tickMs: intSetting(env, "MPSYNC_PLANNER_TICK_MS", DEFAULT_PLANNER.tickMs, 100, 60_000, problems),
    fullWindowMinutes: intSetting(env, "MPSYNC_FULL_WINDOW_MINUTES", DEFAULT_PLANNER.fullWindowMinutes, 0, 1_440, problems),
    quotaReservePercent: intSetting(env, "MPSYNC_QUOTA_RESERVE_PERCENT", DEFAULT_PLANNER.quotaReservePercent, 0, 90, problems),
    quotaRefreshMinutes: intSetting(env, "MPSYNC_QUOTA_REFRESH_MINUTES", DEFAULT_PLANNER.quotaRefreshMinutes, 1, 1_440, problems),
    reloadMs: intSetting(env, "MPSYNC_ACCOUNTS_RELOAD_MS", DEFAULT_PLANNER.reloadMs, 1_000, 60_000, problems),
  };
  const httpPortRaw = env.HTTP_PORT;
  const publicUrl = baseUrlSetting(env, "PUBLIC_URL", problems);
  const http = {
    ...(publicUrl !== undefined ? { publicUrl } : {}),
    port: httpPortRaw ? intSetting(env, "HTTP_PORT", 0, 0, 65535, problems) : undefined,
    host: env.HTTP_HOST || "0.0.0.0",
    adminToken: env.ADMIN_TOKEN || undefined,
    trustProxy: parseTrustProxy(env.HTTP_TRUST_PROXY, problems),
    consoleSession: {
      idleMs: intSetting(env, "CONSOLE_SESSION_IDLE_MINUTES", DEFAULT_CONSOLE_SESSION.idleMs / 60_000, 1, 24 * 60, problems) * 60_000,
      maxMs: intSetting(env, "CONSOLE_SESSION_MAX_HOURS", DEFAULT_CONSOLE_SESSION.maxMs / 3_600_000, 1, 30 * 24, problems) * 3_600_000,
    },
    authFailuresPerMinute: intSetting(env, "HTTP_AUTH_FAILURES_PER_MINUTE", DEFAULT_AUTH_FAILURES_PER_MINUTE, 1, 10_000, problems),
  };
  if (http.adminToken !== undefined && http.adminToken.length < 16) problems.push("ADMIN_TOKEN must be at least 16 characters");
  const readApi = { readApiToken: env.READ_API_TOKEN || undefined, readApiPublic: boolSetting(env, "READ_API_PUBLIC", true, problems) };
  if (readApi.readApiToken !== undefined && readApi.readApiToken.length < 16) problems.push("READ_API_TOKEN must be at least 16 characters");

  const media = loadMediaConfig(env, problems, publicUrl);
  const feeds = {
    maxEntries: intSetting(env, "FEED_MAX_ENTRIES", DEFAULT_FEED_LIMITS.maxEntries, 1, 1_000, problems),
    maxBytes: intSetting(env, "FEED_MAX_BYTES", DEFAULT_FEED_LIMITS.maxBytes, 16 * 1024, 64 * 1024 * 1024, problems),
  };
  const search = { index: boolSetting(env, "SEARCH_INDEX", DEFAULT_SEARCH_INDEX, problems) };

  let accounts: AccountConfig[] = [];
  if (env.MPSYNC_ACCOUNTS_FILE) {
    accounts = loadAccountsFile(env.MPSYNC_ACCOUNTS_FILE, problems);
    for (const name of ["MPSYNC_DELETION_BREAKER_PERCENT", "MPSYNC_DELETION_BREAKER_ROWS"]) {
      if (env[name]) problems.push(`${name} applies to the WECHAT_APP_ID account only; with MPSYNC_ACCOUNTS_FILE set deletionBreaker per account in the file`);
    }
    for (const name of ["WECHAT_PUSH_TOKEN", "WECHAT_PUSH_AES_KEY"]) {
      if (env[name]) problems.push(`${name} applies to the WECHAT_APP_ID account only; with MPSYNC_ACCOUNTS_FILE set push per account in the file`);
    }
  } else if (env.WECHAT_APP_ID || env.WECHAT_APP_SECRET) {
    const breakerSet = Boolean(env.MPSYNC_DELETION_BREAKER_PERCENT || env.MPSYNC_DELETION_BREAKER_ROWS);
    const push = envPushConfig(env, problems);
    const parsed = accountSchema.safeParse({
      appId: env.WECHAT_APP_ID,
      appSecret: env.WECHAT_APP_SECRET || undefined, // empty means unset: one "is required" message, not two
      tokenKind: env.WECHAT_TOKEN_KIND || "stable",
      ...(breakerSet
        ? {
            deletionBreaker: {
              percent: intSetting(env, "MPSYNC_DELETION_BREAKER_PERCENT", DEFAULT_DELETION_BREAKER.percent, 0, 100, problems),
              rows: intSetting(env, "MPSYNC_DELETION_BREAKER_ROWS", DEFAULT_DELETION_BREAKER.rows, 0, 1_000_000_000, problems),
            },
          }
        : {}),
      ...(push ? { push } : {}),
    });
    if (parsed.success) accounts = [parsed.data];
    else
      problems.push(
        ...parsed.error.issues.map((i) => {
          const key = String(i.path[0] ?? "");
          const setting = key === "appId" ? "WECHAT_APP_ID" : key === "appSecret" ? "WECHAT_APP_SECRET" : key === "tokenKind" ? "WECHAT_TOKEN_KIND" : key;
          return `${setting} ${i.message}`;
        }),
      );
  }
  if (opts.requireAccounts && accounts.length === 0 && problems.length === 0) {
    problems.push("no WeChat account configured: set WECHAT_APP_ID and WECHAT_APP_SECRET, or MPSYNC_ACCOUNTS_FILE");
  }
  const changes = loadChangeFeedConfig(env, accounts, (name, def, min, max) => intSetting(env, name, def, min, max, problems), problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { databaseUrl, db, redisUrl, redisPrefix, logLevel, ...(logFormat ? { logFormat: logFormat as "json" | "pretty" } : {}), wechatBaseUrl, wechatMaxResponseBytes, accounts, worker, http: { ...http, ...readApi }, media, changes, planner, feeds, search };
}
