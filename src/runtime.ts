// Composition root: one place that builds Postgres, Redis, the WeChat clients, the
// sync engine and the read store from an AppConfig. Used by the CLI, the jobs worker,
// the HTTP server and the benchmark. The job queue is not built here: it lives in jobs/,
// which hands it to the CLI and the HTTP server through src/job-queue.ts.
import type { Redis } from "ioredis";
import { plannerSettings, searchIndexOn, type AccountConfig, type AppConfig } from "./config/config.ts";
import { createQuotaBook, type QuotaBook } from "./planner/quota.ts";
import { createLogger, type Logger } from "./logging/logger.ts";
import { createRedis, REDIS_COMMAND_TIMEOUT_MS } from "./redis/connection.ts";
import { watchRedisOutages, type RedisOutageWatch } from "./redis/outage.ts";
import { createPrisma, type PrismaClient } from "./store/prisma.ts";
import { createChangeFeedStore, type ChangeFeedStore } from "./store/change-feed-store.ts";
import { createReadStore, type ReadStore } from "./store/read-store.ts";
import { createSyncStore } from "./store/sync-store.ts";
import { createPushStore, type PushStore } from "./store/push-store.ts";
import { createPushArticleWriter, type PushArticleWriter } from "./sync/push-article.ts";
import { createSyncEngine } from "./sync/engine.ts";
import { UnknownAccountError } from "./sync/errors.ts";
import type { SyncEngine } from "./sync/types.ts";
import { createWeChatClient, Transport, type ClientObserver, type ClosableWeChatClient, type RetryOptions, type TokenCacheOptions, type TransportOptions } from "./wechat/index.ts";

export interface RuntimeOptions {
  logger?: Logger;
  observer?: ClientObserver;
  /** client retry policy (tests use tiny delays) */
  retry?: RetryOptions;
  tokens?: TokenCacheOptions;
  transport?: TransportOptions;
  /** clock of the quota budget and the throttle (tests move it to the next quota day) */
  now?: () => Date;
}

export interface Runtime {
  config: AppConfig;
  prisma: PrismaClient;
  /** the queries of the read API, the reports and the CLI */
  reads: ReadStore;
  /** the change feed's events, webhook endpoints and deliveries */
  changeFeed: ChangeFeedStore;
  /** tokens, run markers, readiness: its commands fail after a bound instead of waiting out an outage */
  redis: Redis;
  /** the process's one view of Redis outages; every connection and BullMQ object reports to it */
  redisWatch: RedisOutageWatch;
  logger: Logger;
  engine: SyncEngine;
  /** the daily-quota budget of every (account, API), shared through Redis */
  quota: QuotaBook;
  /** message pushes: events as received and their publish jobs */
  pushes: PushStore;
  /** writes an article a push announced, through the walk's path */
  pushArticles: PushArticleWriter;
  /** the WeChat client of a configured account (one per account, cached) */
  clientFor(appId: string): ClosableWeChatClient;
  /** replaces the configured accounts in place (accounts file reloaded); clients of changed or removed accounts are dropped */
  setAccounts(accounts: AccountConfig[]): void;
  close(): Promise<void>;
}

export function createRuntime(config: AppConfig, opts: RuntimeOptions = {}): Runtime {
  const logger = opts.logger ?? createLogger(config.logLevel, undefined, config.logFormat);
  const prisma = createPrisma(config.databaseUrl, config.db);
  const redisWatch = watchRedisOutages(logger);
  // a run holding a token keeps working through an outage (tokens are kept in process too),
  // so no command of this connection may wait for Redis unbounded
  const redis = redisWatch.connection(createRedis(config.redisUrl, { commandTimeout: REDIS_COMMAND_TIMEOUT_MS }), "runtime");
  // one HTTP pool for every account: enough sockets for the largest per-account concurrency
  const maxConcurrency = Math.max(1, ...config.accounts.map((a) => a.concurrency));
  const transport = new Transport(config.wechatBaseUrl, {
    connections: Math.max(16, maxConcurrency * 2),
    maxResponseBytes: config.wechatMaxResponseBytes,
    ...opts.transport,
  });
  const clients = new Map<string, ClosableWeChatClient>();

  const clientFor = (appId: string): ClosableWeChatClient => {
    let client = clients.get(appId);
    if (!client) {
      const account = config.accounts.find((a) => a.appId === appId);
      if (!account) throw new UnknownAccountError(appId);
      client = createWeChatClient({
        account,
        baseUrl: config.wechatBaseUrl,
        redis,
        redisPrefix: config.redisPrefix,
        logger,
        observer: opts.observer,
        retry: opts.retry,
        tokens: opts.tokens,
        sharedTransport: transport,
      });
      clients.set(appId, client);
    }
    return client;
  };

  const settings = plannerSettings(config);
  const quota = createQuotaBook({
    redis,
    prefix: config.redisPrefix,
    clientFor,
    reservePercent: settings.quotaReservePercent,
    refreshMs: settings.quotaRefreshMinutes * 60_000,
    now: opts.now,
    onReadError: (appId, api, e) => logger.warn({ appId, api, err: e }, "daily quota unreadable: falling back to the 45009 throttle"),
  });
  const syncStore = createSyncStore(prisma, config.databaseUrl, { searchIndex: searchIndexOn(config) });
  const pushArticles = createPushArticleWriter({ store: syncStore, accounts: config.accounts, clientFor, quota, logger });
  const engine = createSyncEngine({
    store: syncStore,
    accounts: config.accounts,
    clientFor,
    logger,
    quota,
    now: opts.now,
  });

  const setAccounts = (accounts: AccountConfig[]): void => {
    const next = new Map(accounts.map((a) => [a.appId, JSON.stringify(a)]));
    for (const old of config.accounts) {
      if (next.get(old.appId) === JSON.stringify(old)) continue;
      const client = clients.get(old.appId);
      clients.delete(old.appId);
      void client?.close().catch(() => {});
    }
    // in place: the engine and the planner hold this array
    config.accounts.splice(0, config.accounts.length, ...accounts);
  };

  let closed: Promise<void> | undefined;
  return {
    config,
    prisma,
    reads: createReadStore(prisma),
    changeFeed: createChangeFeedStore(prisma),
    redis,
    redisWatch,
    logger,
    engine,
    quota,
    pushes: createPushStore(prisma),
    pushArticles,
    clientFor,
    setAccounts,
    close() {
      closed ??= (async () => {
        await Promise.allSettled([...clients.values()].map((c) => c.close()));
        await transport.close();
        await prisma.$disconnect();
        redis.disconnect();
      })();
      return closed;
    },
  };
}
