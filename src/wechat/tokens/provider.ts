// A token shared through Redis: read from the cache; when missing or due for refresh,
// one process fetches it under a lock while the others wait for the cache. A token
// error drops the cached token only if it is still the one that failed, so a burst of
// failures across processes leads to one fetch.
// The last token this process used is also kept in memory: while Redis is unreachable a
// run keeps working with it until it expires, and when Redis comes back without it (a
// restart without persistence) it is stored again rather than fetched anew.
import type { Logger } from "../../logging/logger.ts";
import type { RequestCounter } from "../call.ts";
import { TokenStoreUnavailableError, TokenUnavailableError } from "../errors.ts";
import { sleep } from "../sleep.ts";
import type { ClientObserver } from "../types.ts";
import type { CachedToken, TokenCache } from "./cache.ts";

export interface FetchedToken {
  token: string;
  expiresInSeconds: number;
}

export type TokenFetcher = (counter: RequestCounter, signal?: AbortSignal) => Promise<FetchedToken>;

export interface TokenProvider {
  readonly appId: string;
  readonly kind: string;
  /** A valid token; may fetch one (counted in `counter`). */
  getToken(counter: RequestCounter, signal?: AbortSignal): Promise<string>;
  /** Compare-and-delete: forgets the cached token only if it is still `token`. */
  invalidate(token: string): Promise<boolean>;
  /** Sends the credentials to WeChat without disturbing the token in use; absent when that is impossible. */
  verifyCredentials?(counter: RequestCounter, signal?: AbortSignal): Promise<void>;
}

export interface TokenCacheOptions {
  /** fetch a new token when less than this is left (default 5 min; at most half the lifetime) */
  refreshAheadMs?: number;
  /** lifetime of the refresh lock, longer than a token fetch takes (default 15 s) */
  lockTtlMs?: number;
  /** how long a process waits for another one's fetch (default 20 s) */
  lockWaitMs?: number;
  /** how often a waiting process looks at the cache (default 50 ms) */
  pollMs?: number;
}

export class SharedTokenProvider implements TokenProvider {
  private readonly refreshAheadMs: number;
  private readonly lockTtlMs: number;
  private readonly lockWaitMs: number;
  private readonly pollMs: number;
  /** the token this process last read or fetched */
  private held: CachedToken | null = null;
  /** Redis failed since `held` was last confirmed there: an empty cache may mean Redis lost it */
  private outageSinceHeld = false;

  constructor(
    readonly appId: string,
    readonly kind: string,
    private readonly cache: TokenCache,
    private readonly fetcher: TokenFetcher,
    private readonly deps: { observer?: ClientObserver; logger: Logger; options?: TokenCacheOptions; harmlessFetch?: boolean },
  ) {
    const o = deps.options ?? {};
    this.refreshAheadMs = o.refreshAheadMs ?? 5 * 60_000;
    this.lockTtlMs = o.lockTtlMs ?? 15_000;
    this.lockWaitMs = o.lockWaitMs ?? 20_000;
    this.pollMs = o.pollMs ?? 50;
  }

  async getToken(counter: RequestCounter, signal?: AbortSignal): Promise<string> {
    const deadline = Date.now() + this.lockWaitMs;
    for (;;) {
      let outcome: { token: string } | "wait";
      try {
        outcome = await this.attempt(counter, signal);
      } catch (e) {
        if (!(e instanceof RedisDown)) throw e;
        this.outageSinceHeld = true;
        // Redis is away: the token this process holds is good until it expires
        const held = this.heldToken();
        if (held) return held;
        if (Date.now() >= deadline) throw new TokenStoreUnavailableError(this.appId, this.lockWaitMs);
        await sleep(this.pollMs, signal);
        continue;
      }
      if (outcome !== "wait") return outcome.token;
      if (Date.now() >= deadline) throw new TokenUnavailableError(this.appId, this.lockWaitMs);
      await sleep(this.pollMs, signal);
    }
  }

  /** Only for fetchers that return the token in use (stable_token without force_refresh): the answer is not needed. */
  get verifyCredentials(): ((counter: RequestCounter, signal?: AbortSignal) => Promise<void>) | undefined {
    if (!this.deps.harmlessFetch) return undefined;
    return async (counter, signal) => {
      await this.fetcher(counter, signal);
    };
  }

  invalidate(token: string): Promise<boolean> {
    if (this.held?.token === token) this.held = null;
    return this.cache.deleteIf(token).catch(() => false); // Redis away: it expires there on its own
  }

  private heldToken(now = Date.now()): string | null {
    return this.held && now < this.held.expiresAt ? this.held.token : null;
  }

  /** One look at the shared cache: a token, or "wait" while another process refreshes. Redis failures throw RedisDown. */
  private async attempt(counter: RequestCounter, signal?: AbortSignal): Promise<{ token: string } | "wait"> {
    if (!this.cache.available()) throw new RedisDown();
    const cached = await redisOp(() => this.cache.get());
    if (cached && Date.now() < cached.refreshAt) return { token: this.keep(cached).token };
    const lock = await redisOp(() => this.cache.tryLock(this.lockTtlMs));
    if (!lock) {
      // someone else is refreshing: a token still inside its lifetime is good meanwhile
      return cached ? { token: this.keep(cached).token } : "wait";
    }
    try {
      // another process may have stored one between our read and our lock
      const again = await redisOp(() => this.cache.get());
      if (again && Date.now() < again.refreshAt) return { token: this.keep(again).token };
      // after an outage, Redis may have lost the token this process still holds (restarted
      // empty): share it again instead of fetching (which would retire it, for legacy tokens)
      if (!again && this.outageSinceHeld && this.held && Date.now() < this.held.refreshAt) {
        await redisOp(() => this.cache.set(this.held!));
        this.outageSinceHeld = false;
        return { token: this.held.token };
      }
      return { token: await this.fetchAndStore(counter, signal) };
    } finally {
      await this.cache.unlock(lock).catch(() => {}); // it expires on its own
    }
  }

  private keep(t: CachedToken): CachedToken {
    this.held = t;
    this.outageSinceHeld = false;
    return t;
  }

  private async fetchAndStore(counter: RequestCounter, signal?: AbortSignal): Promise<string> {
    const fetched = await this.fetcher(counter, signal);
    const now = Date.now();
    const lifeMs = fetched.expiresInSeconds * 1000;
    const expiresAt = now + lifeMs;
    const refreshAt = now + Math.max(lifeMs - this.refreshAheadMs, lifeMs / 2);
    this.keep({ token: fetched.token, expiresAt, refreshAt });
    // not shared if Redis went away meanwhile: this process uses it, and shares it when Redis is back
    await this.cache.set({ token: fetched.token, expiresAt, refreshAt }, now).catch(() => {
      this.outageSinceHeld = true;
    });
    this.deps.observer?.onTokenRefresh?.({ appId: this.appId, kind: this.kind });
    this.deps.logger.info({ appId: this.appId, tokenKind: this.kind, expiresInSeconds: fetched.expiresInSeconds }, "wechat token refreshed");
    return fetched.token;
  }
}

/** A Redis command of the token cache failed (connection down or timed out). */
class RedisDown extends Error {
  override readonly name = "RedisDown";
}

async function redisOp<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    throw new RedisDown("token cache unavailable", { cause: e });
  }
}
