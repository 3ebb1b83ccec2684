// What the engine asks of the daily-quota budget (src/planner/quota.ts implements it):
// a fresh reading before a run, one permit per list call, and what the calls cost.
import type { PageReader } from "./page-reader.ts";
import type { Source } from "./types.ts";
import { QuotaExhaustedError } from "../wechat/errors.ts";

/** The quota as the gate knows it; `known` false when openapi/quota/get could not be read. */
export interface QuotaView {
  api: string;
  known: boolean;
  limit: number | null;
  /** WeChat's count at the last reading plus the calls this deployment made since */
  used: number | null;
  remain: number | null;
  reserve: number | null;
  readAt: Date | null;
  /** why the reading is unknown (quota API error), if it is */
  error: string | null;
}

export interface QuotaGate {
  /** what is known now, without any call */
  peek(appId: string, source: Source): Promise<QuotaView>;
  /** before a run: re-reads the API's quota when the reading is stale or `force` (one quota call) */
  prepare(appId: string, source: Source, opts?: { force?: boolean }): Promise<QuotaView>;
  /** one call of the source's API is about to be made; throws QuotaPausedError when the budget has no room */
  take(appId: string, source: Source): Promise<void>;
  /** requests a call made beyond the one taken (retries), counted against the budget */
  spent(appId: string, source: Source, extra: number): Promise<void>;
  /** WeChat answered 45009 although the budget had room (the owner's calls): the day's quota is spent */
  exhausted(appId: string, source: Source): Promise<void>;
  /** the list size seen, so the planner knows what a full walk costs */
  listSize(appId: string, source: Source, total: number): Promise<void>;
}

/**
 * The same budget for a single API call made outside a walk (freepublish/getarticle when a
 * push arrives): its own daily quota, read with openapi/quota/get and counted like a list's.
 */
export interface CallQuotaGate {
  /** re-reads the API's quota when the reading is stale (one quota call) */
  prepareCall(appId: string, api: string): Promise<QuotaView>;
  /** one call is about to be made; throws QuotaPausedError (source: what the call serves) when the budget has no room */
  takeCall(appId: string, api: string, source: Source): Promise<void>;
  /** WeChat answered 45009 although the budget had room: the day's quota is spent */
  exhaustedCall(appId: string, api: string): Promise<void>;
}

/** A page reader that asks the gate before each call and reports what each call cost. */
export function budgetedReader(inner: PageReader, gate: QuotaGate, appId: string, source: Source): PageReader {
  // once WeChat said 45009, no later call of this run goes out: the gate learns it only
  // after a Redis round trip, and the walk asks for its next pages meanwhile
  let spentToday: QuotaExhaustedError | null = null;
  return {
    async fetch(offset, signal) {
      if (spentToday) throw spentToday;
      await gate.take(appId, source);
      if (spentToday) throw spentToday;
      try {
        const page = await inner.fetch(offset, signal);
        if (page.attempts > 1) await gate.spent(appId, source, page.attempts - 1);
        if (offset === 0) await gate.listSize(appId, source, page.total);
        return page;
      } catch (e) {
        if (e instanceof QuotaExhaustedError) {
          spentToday = e;
          await gate.exhausted(appId, source).catch(() => {});
        }
        throw e;
      }
    },
  };
}
