// The daily-quota budget of each (account, API), kept in Redis so every replica and the
// CLI share it. A reading of openapi/quota/get (daily_limit, used) is cached; between
// readings the calls this deployment makes are counted on top of it. A call is allowed
// while used + 1 <= limit - reserve; when the quota could not be read the call is allowed
// (the 45009 throttle of before is the fallback). Implements the engine's QuotaGate.
import type { Redis } from "ioredis";
import { QuotaPausedError } from "../sync/errors.ts";
import type { CallQuotaGate, QuotaGate, QuotaView } from "../sync/quota-gate.ts";
import { nextQuotaReset, quotaDay } from "../sync/quota-reset.ts";
import type { Source } from "../sync/types.ts";
import { ENDPOINTS } from "../wechat/endpoints.ts";
import type { WeChatClient } from "../wechat/types.ts";
import { stableOffset } from "./offsets.ts";

/** The two list APIs; the four material sources share one quota. */
export const QUOTA_APIS = [ENDPOINTS.publishedList, ENDPOINTS.materialList] as const;
export type QuotaApi = (typeof QUOTA_APIS)[number];

/** APIs called one at a time outside the walks (message push), budgeted the same way. */
export const CALL_QUOTA_APIS = [ENDPOINTS.getArticle] as const;

export function apiOf(source: Source): QuotaApi {
  return source === "published" ? ENDPOINTS.publishedList : ENDPOINTS.materialList;
}

/** Calls kept for the owner's other systems: `percent` of the daily limit, rounded up. */
export function reserveOf(limit: number, percent: number): number {
  return Math.floor((limit * percent + 99) / 100);
}

/**
 * The budget lives in Redis, but a Redis outage must not stop a run that holds its token
 * (runs keep writing to Postgres meanwhile): a budget command that has no answer within
 * this long counts as "quota unknown", and the call is made, as before this budget existed.
 */
const REDIS_WAIT_MS = 1_000;

function bounded<T>(p: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), REDIS_WAIT_MS)));
  return Promise.race([p.catch(() => fallback), late]).finally(() => clearTimeout(timer));
}

/** Resumptions after the reset are spread over this long (stable per account and source). */
const RESUME_SPREAD_S = 15 * 60;
/** An unreadable quota is tried again after at most this long. */
const ERROR_RETRY_MS = 10 * 60_000;

// KEYS[1] the budget hash; ARGV: quota day, calls, reserve percent.
// Returns {1} allowed, {-1} the reading is from another day, {0, used, limit, reserve} no room.
const TAKE = `
local h = redis.call('hmget', KEYS[1], 'day', 'known', 'limit', 'used', 'own')
if h[1] ~= ARGV[1] then return {-1} end
local n = tonumber(ARGV[2])
if h[2] ~= '1' then redis.call('hincrby', KEYS[1], 'own', n) return {1} end
local limit = tonumber(h[3])
local used = tonumber(h[4]) + tonumber(h[5] or '0')
local reserve = math.floor((limit * tonumber(ARGV[3]) + 99) / 100)
if used + n <= limit - reserve then redis.call('hincrby', KEYS[1], 'own', n) return {1} end
return {0, used, limit, reserve}`;

export interface QuotaBookOptions {
  redis: Redis;
  prefix: string;
  clientFor(appId: string): Pick<WeChatClient, "getQuota">;
  reservePercent: number;
  /** a reading older than this is re-read before the next run */
  refreshMs: number;
  now?: () => Date;
  onReadError?(appId: string, api: string, e: unknown): void;
}

export interface QuotaBook extends QuotaGate, CallQuotaGate {
  /** what is known of one (account, API), without any call */
  view(appId: string, api: QuotaApi | (typeof CALL_QUOTA_APIS)[number]): Promise<QuotaView>;
  /** list sizes seen per source of this account (for the cost of a full walk) */
  listSizes(appId: string): Promise<Partial<Record<Source, number>>>;
  readonly reservePercent: number;
}

export function quotaKey(prefix: string, appId: string, api: string): string {
  return `${prefix}:quota:${appId}|${api}`;
}

export function createQuotaBook(o: QuotaBookOptions): QuotaBook {
  const now = o.now ?? (() => new Date());
  const key = (appId: string, api: string) => quotaKey(o.prefix, appId, api);
  const sizesKey = (appId: string) => `${o.prefix}:quota-lists:${appId}`;

  function viewOf(api: string, h: Record<string, string>): QuotaView {
    const today = String(quotaDay(now()));
    const fresh = h.day === today;
    const known = fresh && h.known === "1";
    const limit = known ? Number(h.limit) : null;
    const used = known ? Number(h.used) + Number(h.own ?? 0) : null;
    return {
      api,
      known,
      limit,
      used,
      remain: limit !== null && used !== null ? Math.max(0, limit - used) : null,
      reserve: limit !== null ? reserveOf(limit, o.reservePercent) : null,
      readAt: h.readAt ? new Date(Number(h.readAt)) : null,
      error: fresh && h.known === "0" ? (h.error ?? "unknown") : null,
    };
  }

  async function read(appId: string, api: string): Promise<QuotaView> {
    const t = now();
    try {
      const q = await o.clientFor(appId).getQuota(api);
      await o.redis.hset(key(appId, api), { day: quotaDay(t), known: 1, limit: q.dailyLimit, used: q.used, own: 0, readAt: t.getTime(), error: "" });
    } catch (e) {
      o.onReadError?.(appId, api, e);
      // fall back to the 45009 throttle; keep counting own calls in case a reading comes back later
      await o.redis.hset(key(appId, api), { day: quotaDay(t), known: 0, readAt: t.getTime(), error: e instanceof Error ? e.message : String(e) });
    }
    return viewOf(api, await o.redis.hgetall(key(appId, api)));
  }

  async function view(appId: string, api: string): Promise<QuotaView> {
    return viewOf(api, await o.redis.hgetall(key(appId, api)));
  }

  function stale(h: Record<string, string>): boolean {
    if (h.day !== String(quotaDay(now())) || !h.readAt) return true;
    const age = now().getTime() - Number(h.readAt);
    return age >= (h.known === "1" ? o.refreshMs : Math.min(o.refreshMs, ERROR_RETRY_MS));
  }

  function paused(appId: string, source: Source, api: string, used: number, limit: number, reserve: number): QuotaPausedError {
    const resumeAt = new Date(nextQuotaReset(now()).getTime() + stableOffset(appId, source, "resume", RESUME_SPREAD_S) * 1000);
    return new QuotaPausedError(appId, source, api, used, limit, reserve, resumeAt);
  }

  return {
    reservePercent: o.reservePercent,
    view,
    peek: (appId, source) => view(appId, apiOf(source)),
    async listSizes(appId) {
      const h = await o.redis.hgetall(sizesKey(appId));
      return Object.fromEntries(Object.entries(h).map(([s, n]) => [s, Number(n)]));
    },
    prepare: (appId, source, opts = {}) => prepareApi(appId, apiOf(source), opts.force === true),
    take: (appId, source) => takeApi(appId, apiOf(source), source),
    prepareCall: (appId, api) => prepareApi(appId, api, false),
    takeCall: (appId, api, source) => takeApi(appId, api, source),
    exhaustedCall: (appId, api) => exhaustedApi(appId, api),
    // bookkeeping after a call: never holds the walk up
    async spent(appId, source, extra) {
      if (extra > 0) await bounded(o.redis.hincrby(key(appId, apiOf(source)), "own", extra), 0);
    },
    exhausted: (appId, source) => exhaustedApi(appId, apiOf(source)),
    async listSize(appId, source, total) {
      await bounded(o.redis.hset(sizesKey(appId), source, total), 0);
    },
  };

  async function prepareApi(appId: string, api: string, force: boolean): Promise<QuotaView> {
    const h = await bounded(o.redis.hgetall(key(appId, api)), null);
    if (h === null) return viewOf(api, {}); // Redis away: unknown, the 45009 throttle is the fallback
    return force || stale(h) ? bounded(read(appId, api), viewOf(api, {})) : viewOf(api, h);
  }

  async function takeApi(appId: string, api: string, source: Source): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const r = await bounded(o.redis.eval(TAKE, 1, key(appId, api), String(quotaDay(now())), "1", String(o.reservePercent)) as Promise<number[]>, [1]);
      if (r[0] === 1) return;
      if (r[0] === 0) throw paused(appId, source, api, r[1]!, r[2]!, r[3]!);
      if (attempt > 0) return; // cannot happen twice in a row unless the clock jumps: allow, as before this budget existed
      await bounded(read(appId, api), null); // a new quota day began: read it once
    }
  }

  async function exhaustedApi(appId: string, api: string): Promise<void> {
    const k = key(appId, api);
    const h = await bounded(o.redis.hgetall(k), {} as Record<string, string>);
    // spent for now; the reading is stale, so the next run (after the throttle) reads the truth again
    if (h.day === String(quotaDay(now())) && h.known === "1") await bounded(o.redis.hset(k, { used: h.limit!, own: 0, readAt: 0 }), 0);
  }
}
