// Wires the baseline (bench/baseline.ts) to the same layers mpsync uses: the Prisma
// client factory, the Redis-shared token provider and createWeChatClient.
import { createLogger } from "../src/logging/logger.ts";
import { createRedis } from "../src/redis/connection.ts";
import { createPrisma } from "../src/store/prisma.ts";
import { createWeChatClient } from "../src/wechat/index.ts";
import { runBaseline } from "./baseline.ts";
import type { SyncFn } from "./sync-child.ts";

export const runBaselineSync: SyncFn = async (config) => {
  const logger = createLogger(config.logLevel, process.stderr);
  const prisma = createPrisma(config.databaseUrl, config.db);
  const redis = createRedis(config.redisUrl);
  const client = createWeChatClient({
    account: config.accounts[0]!,
    baseUrl: config.wechatBaseUrl,
    redis,
    redisPrefix: config.redisPrefix,
    logger,
  });
  return {
    async prepare() {
      await prisma.$connect();
      await redis.ping();
    },
    sync: () => runBaseline(prisma, client),
    async close() {
      await client.close();
      await prisma.$disconnect();
      redis.disconnect();
    },
  };
};
