// One planner tick: take what is due, move each to its next time (exactly one tick claims a
// due time, whichever replica runs it), and ask for the runs through the queue's
// deduplicated path. Incremental runs move by the interval in effect (cadence.ts).
import type { Redis } from "ioredis";
import type { AccountConfig } from "../config/config.ts";
import type { QuotaView } from "../sync/quota-gate.ts";
import { nextQuotaReset } from "../sync/quota-reset.ts";
import { SOURCES, type Source, type SyncMode } from "../sync/types.ts";
import { PAGE_SIZE } from "../sync/page-reader.ts";
import { incrementalCadence, type Cadence } from "./cadence.ts";
import { nextIncrementalDue } from "./offsets.ts";
import { advance, dropMembers, dueCalculator, dueEntries, dueTimes, parseMember, planMember } from "./plan.ts";
import { apiOf, type QuotaApi, type QuotaBook } from "./quota.ts";

/** Due targets taken per tick; more wait for the next tick. */
export const TICK_BATCH = 2_000;

export interface TickDeps {
  redis: Redis;
  prefix: string;
  accounts: AccountConfig[];
  fullWindowMinutes: number;
  quota: QuotaBook;
  enqueue(r: { appId: string; source: Source; mode: SyncMode }): Promise<unknown>;
  onEnqueueError?(target: { appId: string; source: Source; mode: SyncMode }, e: unknown): void;
}

export interface TickResult {
  enqueued: number;
  dropped: number;
}

/** The interval in effect for one source of an account, and why (also shown by `mpsync status`). */
export async function cadenceOf(deps: Pick<TickDeps, "redis" | "prefix" | "quota">, account: AccountConfig, source: Source, nowMs: number, view?: QuotaView): Promise<Cadence> {
  const api: QuotaApi = apiOf(source);
  const onApi = SOURCES.filter((s) => apiOf(s) === api);
  const [v, sizes, fulls] = await Promise.all([
    view ? Promise.resolve(view) : deps.quota.view(account.appId, api),
    deps.quota.listSizes(account.appId),
    dueTimes(deps.redis, deps.prefix, onApi.map((s) => planMember(account.appId, s, "full"))),
  ]);
  const reset = nextQuotaReset(new Date(nowMs)).getTime();
  // a full walk planned before the reset costs a page per 20 items (+1 to confirm the head)
  const fullNeed = onApi.reduce((n, s, i) => (fulls[i] !== null && fulls[i]! < reset ? n + Math.ceil((sizes[s] ?? 0) / PAGE_SIZE) + 1 : n), 0);
  return incrementalCadence({ configuredMinutes: account.schedule.incrementalEveryMinutes, view: v, sourcesOnApi: onApi.length, fullNeed, nowMs });
}

export async function planTick(deps: TickDeps, nowMs: number): Promise<TickResult> {
  const byId = new Map(deps.accounts.filter((a) => a.schedule.enabled).map((a) => [a.appId, a]));
  const due = await dueEntries(deps.redis, deps.prefix, nowMs, TICK_BATCH);
  const stale: string[] = [];
  const fullDue = dueCalculator(deps.fullWindowMinutes, nowMs);
  const moves: { member: string; due: number; next: number; target: { appId: string; source: Source; mode: SyncMode } }[] = [];
  for (const e of due) {
    const t = parseMember(e.member);
    const account = t && byId.get(t.appId);
    if (!t || !account) {
      stale.push(e.member);
      continue;
    }
    let next: number;
    if (t.mode === "full") next = fullDue(account, t.source, "full");
    else {
      const c = await cadenceOf(deps, account, t.source, nowMs);
      // stretched: at least the stretched interval away, still on the target's own slot of the
      // configured interval, so targets stretched to the quota reset do not all start at once
      next = c.minutes === c.configuredMinutes
        ? nextIncrementalDue(t.appId, t.source, c.minutes, nowMs)
        : nextIncrementalDue(t.appId, t.source, c.configuredMinutes, nowMs + c.minutes * 60_000 - 1);
    }
    moves.push({ member: e.member, due: e.due, next, target: t });
  }
  await dropMembers(deps.redis, deps.prefix, stale);
  const claimed = await advance(deps.redis, deps.prefix, moves);
  let enqueued = 0;
  for (let i = 0; i < moves.length; i++) {
    if (!claimed[i]) continue;
    try {
      await deps.enqueue(moves[i]!.target);
      enqueued++;
    } catch (e) {
      deps.onEnqueueError?.(moves[i]!.target, e);
    }
  }
  return { enqueued, dropped: stale.length };
}
