// Per account: its message push state (configured, mode, last event, last error, last
// refused push). One shape for `mpsync status` and the console.
import type { Redis } from "ioredis";
import type { AccountConfig } from "../config/config.ts";
import { iso } from "../format/iso.ts";
import type { PushStore } from "../store/push-store.ts";
import { createQuotaBook } from "../planner/quota.ts";
import { ENDPOINTS } from "../wechat/endpoints.ts";

export interface PushStatus {
  account: string;
  configured: boolean;
  /** encrypted: an EncodingAESKey is set (compatible and safe modes accepted); plaintext: only plaintext */
  accepts: "encrypted" | "plaintext" | null;
  /** the path to enter as the server URL on WeChat's side (after this worker's public origin) */
  endpoint: string;
  events: number;
  last_event_at: string | null;
  last_event: string | null;
  /** the newest failed publish (statuses 2-4) or processing failure */
  last_error_at: string | null;
  last_error: string | null;
  /** the newest push refused for this account (bad signature, wrong app id, ...) */
  last_rejected_at: string | null;
  last_rejected_reason: string | null;
  /** freepublish/getarticle's daily quota as last read (pushes spend it; a spent one defers them to the walk) */
  getarticle_quota: { known: boolean; limit: number | null; used: number | null; reserve: number | null };
}

/** Redis hash of an account's last refused push (reason and time; never the body). */
export function pushRejectKey(prefix: string, appId: string): string {
  return `${prefix}:push-rejected:${appId}`;
}

export async function pushStatus(pushes: PushStore, redis: Redis, prefix: string, accounts: AccountConfig[], reservePercent: number): Promise<PushStatus[]> {
  const states = await pushes.pushStates(accounts.map((a) => a.appId));
  // Redis only: a status never spends a quota call
  const book = createQuotaBook({ redis, prefix, reservePercent, refreshMs: Number.MAX_SAFE_INTEGER, clientFor: () => { throw new Error("a status report makes no WeChat call"); } });
  return Promise.all(
    accounts.map(async (a) => {
      const s = states.get(a.appId);
      const q = await book.view(a.appId, ENDPOINTS.getArticle);
      const rejected = await redis.hgetall(pushRejectKey(prefix, a.appId)).catch(() => ({}) as Record<string, string>);
      return {
        account: a.appId,
        configured: a.push !== undefined,
        accepts: a.push ? (a.push.aesKey ? "encrypted" : "plaintext") : null,
        endpoint: `/wechat/push/${a.appId}`,
        events: s?.events ?? 0,
        last_event_at: s?.lastEventAt ? iso(s.lastEventAt) : null,
        last_event: s?.lastEvent ?? null,
        last_error_at: s?.lastErrorAt ? iso(s.lastErrorAt) : null,
        last_error: s?.lastError ?? null,
        last_rejected_at: rejected.at ? iso(new Date(Number(rejected.at))) : null,
        last_rejected_reason: rejected.reason ?? null,
        getarticle_quota: { known: q.known, limit: q.limit, used: q.used, reserve: q.reserve },
      };
    }),
  );
}

export function describePush(p: PushStatus): string {
  if (!p.configured) return `${p.account} push: not configured (WECHAT_PUSH_TOKEN or push in the accounts file)`;
  const parts = [`${p.account} push: ${p.accepts} at ${p.endpoint}`, p.last_event_at ? `last event ${p.last_event} at ${p.last_event_at} (${p.events} in all)` : "no event yet"];
  if (p.last_error) parts.push(`last error at ${p.last_error_at}: ${p.last_error}`);
  if (p.last_rejected_reason) parts.push(`last refused at ${p.last_rejected_at}: ${p.last_rejected_reason}`);
  const q = p.getarticle_quota;
  parts.push(q.known ? `getarticle quota ${q.used}/${q.limit} used (reserve ${q.reserve})` : "getarticle quota not read yet");
  return parts.join(" | ");
}
