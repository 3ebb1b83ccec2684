// Per account and API: the daily quota as last read (limit, used, remain, reserve) and the
// incremental interval in effect with its reason. Shown by `mpsync status` and /admin/runs.
// Reads Redis only: a status never spends a quota call.
import type { Redis } from "ioredis";
import type { AccountConfig } from "../config/config.ts";
import { iso } from "../format/iso.ts";
import { QUOTA_APIS, createQuotaBook, type QuotaApi } from "../planner/quota.ts";
import { cadenceOf } from "../planner/tick.ts";
import { SOURCES, type Source } from "../sync/types.ts";
import { apiOf } from "../planner/quota.ts";

export interface QuotaStatus {
  account: string;
  api: QuotaApi;
  known: boolean;
  limit: number | null;
  used: number | null;
  remain: number | null;
  reserve: number | null;
  read_at: string | null;
  error: string | null;
  interval_minutes: number;
  configured_minutes: number;
  interval_reason: string;
}

const BATCH = 500;

export async function quotaReport(redis: Redis, prefix: string, accounts: AccountConfig[], reservePercent: number, now = new Date()): Promise<QuotaStatus[]> {
  const book = createQuotaBook({
    redis,
    prefix,
    reservePercent,
    refreshMs: Number.MAX_SAFE_INTEGER,
    now: () => now,
    clientFor: () => {
      throw new Error("a status report makes no WeChat call");
    },
  });
  const rows = accounts.flatMap((a) => QUOTA_APIS.map((api) => ({ a, api, source: SOURCES.find((s) => apiOf(s) === api) as Source })));
  const out: QuotaStatus[] = [];
  for (let i = 0; i < rows.length; i += BATCH) {
    const done = await Promise.all(
      rows.slice(i, i + BATCH).map(async ({ a, api, source }) => {
        const v = await book.view(a.appId, api);
        const c = await cadenceOf({ redis, prefix, quota: book }, a, source, now.getTime(), v);
        return {
          account: a.appId,
          api,
          known: v.known,
          limit: v.limit,
          used: v.used,
          remain: v.remain,
          reserve: v.reserve,
          read_at: iso(v.readAt),
          error: v.error,
          interval_minutes: c.minutes,
          configured_minutes: c.configuredMinutes,
          interval_reason: c.reason,
        };
      }),
    );
    out.push(...done);
  }
  return out;
}

/** One line of `mpsync status` for one account and API. */
export function describeQuota(q: QuotaStatus): string {
  const quota = q.known ? `limit ${q.limit}, used ${q.used}, remain ${q.remain}, reserve ${q.reserve} (read ${q.read_at})` : q.error ? `quota unreadable (${q.error}); 45009 throttles` : "quota not read yet";
  return `${q.account} ${q.api}: ${quota} | incremental every ${q.interval_minutes} min: ${q.interval_reason}`;
}
