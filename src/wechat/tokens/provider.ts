// A token shared through Redis: read from the cache; when missing or due for refresh,
// one process fetches it under a lock while the others wait for the cache. A token
// error drops the cached token only if it is still the one that failed, so a burst of
// failures across processes leads to one fetch.
import type { Logger } from "../../logging/logger.ts";
import type { RequestCounter } from "../call.ts";
import { TokenUnavailableError } from "../errors.ts";
import { sleep } from "../sleep.ts";
import type { ClientObserver } from "../types.ts";
import type { TokenCache } from "./cache.ts";

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

  constructor(
    readonly appId: string,
    readonly kind: string,
    private readonly cache: TokenCache,
    private readonly fetcher: TokenFetcher,
    private readonly deps: { observer?: ClientObserver; logger: Logger; options?: TokenCacheOptions },
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
      const cached = await this.cache.get();
      if (cached && Date.now() < cached.refreshAt) return cached.token;
      const lock = await this.cache.tryLock(this.lockTtlMs);
      if (lock) {
        try {
          // another process may have stored one between our read and our lock
          const again = await this.cache.get();
          if (again && Date.now() < again.refreshAt) return again.token;
          return await this.fetchAndStore(counter, signal);
        } finally {
          await this.cache.unlock(lock);
        }
      }
      // someone else is refreshing: a token still inside its lifetime is good meanwhile
      if (cached) return cached.token;
      if (Date.now() >= deadline) throw new TokenUnavailableError(this.appId, this.lockWaitMs);
      await sleep(this.pollMs, signal);
    }
  }

  invalidate(token: string): Promise<boolean> {
    return this.cache.deleteIf(token);
  }

  private async fetchAndStore(counter: RequestCounter, signal?: AbortSignal): Promise<string> {
    const fetched = await this.fetcher(counter, signal);
    const now = Date.now();
    const lifeMs = fetched.expiresInSeconds * 1000;
    const expiresAt = now + lifeMs;
    const refreshAt = now + Math.max(lifeMs - this.refreshAheadMs, lifeMs / 2);
    await this.cache.set({ token: fetched.token, expiresAt, refreshAt }, now);
    this.deps.observer?.onTokenRefresh?.({ appId: this.appId, kind: this.kind });
    this.deps.logger.info({ appId: this.appId, tokenKind: this.kind, expiresInSeconds: fetched.expiresInSeconds }, "wechat token refreshed");
    return fetched.token;
  }
}
