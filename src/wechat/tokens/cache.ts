// Tokens in Redis, shared by every process: one hash per token holder under
// `${prefix}:token:<id>`, a refresh lock next to it, and compare-and-delete scripts so
// that only the holder of a lock releases it and only the token that failed is dropped.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

export interface CachedToken {
  token: string;
  /** epoch ms after which WeChat rejects it */
  expiresAt: number;
  /** epoch ms from which a process should fetch a new one (ahead of expiry) */
  refreshAt: number;
}

const DELETE_IF_TOKEN = `if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const DELETE_IF_VALUE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export class TokenCache {
  readonly key: string;
  private readonly lockKey: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    id: string,
  ) {
    this.key = `${prefix}:token:${id}`;
    this.lockKey = `${this.key}:lock`;
  }

  /** false while the connection is down: callers use what they hold instead of waiting */
  available(): boolean {
    return this.redis.status === "ready";
  }

  async get(now = Date.now()): Promise<CachedToken | null> {
    const h = await this.redis.hgetall(this.key);
    const expiresAt = Number(h.expiresAt);
    if (!h.token || !(expiresAt > now)) return null;
    return { token: h.token, expiresAt, refreshAt: Number(h.refreshAt) || expiresAt };
  }

  async set(t: CachedToken, now = Date.now()): Promise<void> {
    const ttl = Math.max(1, t.expiresAt - now);
    await this.redis
      .multi()
      .del(this.key)
      .hset(this.key, { token: t.token, expiresAt: String(t.expiresAt), refreshAt: String(t.refreshAt) })
      .pexpire(this.key, ttl)
      .exec();
  }

  /** Drops the cached token only if it is still `token`; true when it did. */
  async deleteIf(token: string): Promise<boolean> {
    return (await this.redis.eval(DELETE_IF_TOKEN, 1, this.key, token)) === 1;
  }

  /** SET NX PX: the lock's value when acquired, else null. */
  async tryLock(ttlMs: number): Promise<string | null> {
    const value = randomUUID();
    const ok = await this.redis.set(this.lockKey, value, "PX", ttlMs, "NX");
    return ok === "OK" ? value : null;
  }

  async unlock(value: string): Promise<void> {
    await this.redis.eval(DELETE_IF_VALUE, 1, this.lockKey, value);
  }
}

/** A value kept without expiry (the third-party authorizer refresh token). */
export class StoredValue {
  constructor(
    private readonly redis: Redis,
    readonly key: string,
  ) {}
  get(): Promise<string | null> {
    return this.redis.get(this.key);
  }
  async set(value: string): Promise<void> {
    await this.redis.set(this.key, value);
  }
}
