// Redis connections. Workers need maxRetriesPerRequest: null (BullMQ blocks on
// commands and must wait out a Redis outage); short-lived commands fail fast instead.
import { Redis, type RedisOptions } from "ioredis";
import { redactUrl } from "../config/database.ts";

export class RedisUnavailableError extends Error {
  override readonly name = "RedisUnavailableError";
}

export function createRedis(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(200 * 2 ** Math.min(times, 6), 5_000),
    ...opts,
  });
}

/** One attempt, a few seconds: a one-line error naming REDIS_URL when Redis does not answer. */
export async function checkRedis(url: string, timeoutMs = 3_000): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, retryStrategy: () => null, enableOfflineQueue: false });
  let cause: { code?: string; message?: string } | undefined;
  redis.on("error", (e: Error) => (cause ??= e)); // reported below, once
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    const err = cause ?? (e as { code?: string; message?: string });
    throw new RedisUnavailableError(`REDIS_URL: cannot reach Redis at ${redactUrl(url)} (${err.code ?? err.message ?? "error"})`);
  } finally {
    redis.disconnect();
  }
}
