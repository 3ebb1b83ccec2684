// Redis connections. Workers need maxRetriesPerRequest: null (BullMQ blocks on
// commands and must wait out a Redis outage); short-lived commands fail fast instead.
import { Redis, type RedisOptions } from "ioredis";
import { redactUrl, redisDatabaseIndex } from "../config/database.ts";

export class RedisUnavailableError extends Error {
  override readonly name = "RedisUnavailableError";
}

/** Bound of one command on connections that must not wait out an outage (tokens, markers, CLI polling). */
export const REDIS_COMMAND_TIMEOUT_MS = 5_000;

export function createRedis(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(200 * 2 ** Math.min(times, 6), 5_000),
    ...opts,
  });
}

/**
 * One attempt, a few seconds: a one-line error naming REDIS_URL when Redis does not answer,
 * or has no database of the URL's index (ioredis would report it and carry on in DB 0).
 */
export async function checkRedis(url: string, timeoutMs = 3_000): Promise<void> {
  const db = redisDatabaseIndex(url);
  // connect to DB 0, then select explicitly: a refused SELECT must fail here, not be logged
  const redis = new Redis(url, { db: 0, lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, commandTimeout: timeoutMs, retryStrategy: () => null, enableOfflineQueue: false });
  let cause: { code?: string; message?: string } | undefined;
  redis.on("error", (e: Error) => (cause ??= e)); // reported below, once
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    const err = cause ?? (e as { code?: string; message?: string });
    redis.disconnect();
    throw new RedisUnavailableError(`REDIS_URL: cannot reach Redis at ${redactUrl(url)} (${err.code ?? err.message ?? "error"})`);
  }
  try {
    if (db !== 0) await redis.select(db);
  } catch (e) {
    throw new RedisUnavailableError(`REDIS_URL: Redis at ${redactUrl(url)} has no database ${db} (${(e as Error).message.split("\n")[0]})`);
  } finally {
    redis.disconnect();
  }
}
