// The plan: when every (account, source, mode) is next due, one Redis sorted set for the
// whole deployment (score = due time in ms). A worker start compares one fingerprint of
// the configured schedules with the stored one and does nothing more when they match;
// otherwise it adds new targets (ZADD NX: a time already planned never moves), re-plans
// changed accounts and removes the ones gone, in batches. Every replica computes the same
// times (offsets.ts), so which one does it does not matter.
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import type { AccountConfig } from "../config/config.ts";
import { SOURCES, type Source, type SyncMode } from "../sync/types.ts";
import { fullDueFinder, nextIncrementalDue } from "./offsets.ts";

export const MODES = ["incremental", "full"] as const satisfies readonly SyncMode[];
const BATCH = 1_000;

export interface PlanKeys {
  due: string;
  fingerprint: string;
  accounts: string;
  lock: string;
}

export function planKeys(prefix: string): PlanKeys {
  return { due: `${prefix}:plan:due`, fingerprint: `${prefix}:plan:fingerprint`, accounts: `${prefix}:plan:accounts`, lock: `${prefix}:plan:lock` };
}

export function planMember(appId: string, source: Source, mode: SyncMode): string {
  return `${appId}|${source}|${mode}`;
}

export function parseMember(m: string): { appId: string; source: Source; mode: SyncMode } | null {
  const parts = m.split("|");
  if (parts.length !== 3) return null;
  const [appId, source, mode] = parts as [string, string, string];
  if (!(SOURCES as readonly string[]).includes(source) || (mode !== "full" && mode !== "incremental")) return null;
  return { appId, source: source as Source, mode };
}

/** What decides an account's due times: a change re-plans it. */
function accountFingerprint(a: AccountConfig, fullWindowMinutes: number): string {
  return JSON.stringify([a.schedule.incrementalEveryMinutes, a.schedule.fullCron, fullWindowMinutes]);
}

export function planFingerprint(accounts: AccountConfig[], fullWindowMinutes: number): string {
  const h = createHash("sha1");
  for (const a of accounts.filter((x) => x.schedule.enabled).sort((x, y) => (x.appId < y.appId ? -1 : 1))) h.update(`${a.appId}=${accountFingerprint(a, fullWindowMinutes)}\n`);
  return h.digest("hex");
}

/** First due times of many targets at `nowMs`; the full runs' cron firings are computed once per pattern. */
export function dueCalculator(fullWindowMinutes: number, nowMs: number): (a: AccountConfig, source: Source, mode: SyncMode) => number {
  const finders = new Map<string, (appId: string, source: string) => number>();
  return (a, source, mode) => {
    if (mode === "incremental") return nextIncrementalDue(a.appId, source, a.schedule.incrementalEveryMinutes, nowMs);
    let f = finders.get(a.schedule.fullCron);
    if (!f) finders.set(a.schedule.fullCron, (f = fullDueFinder(a.schedule.fullCron, fullWindowMinutes, nowMs)));
    return f(a.appId, source);
  };
}

export interface ReconcileResult {
  /** false: the stored plan already matched the configuration (one Redis read) */
  changed: boolean;
  added: number;
  replanned: number;
  removed: number;
}

/** Brings the plan in line with the configured accounts; O(1) when nothing changed. */
export async function reconcilePlan(redis: Redis, prefix: string, accounts: AccountConfig[], fullWindowMinutes: number, nowMs: number): Promise<ReconcileResult> {
  const k = planKeys(prefix);
  const fp = planFingerprint(accounts, fullWindowMinutes);
  const none: ReconcileResult = { changed: false, added: 0, replanned: 0, removed: 0 };
  if ((await redis.get(k.fingerprint)) === fp) return none;
  // one replica at a time; another one doing it computes the same times anyway
  const token = `${process.pid}-${nowMs}-${Math.random()}`;
  for (let waited = 0; (await redis.set(k.lock, token, "PX", 60_000, "NX")) !== "OK"; waited += 100) {
    if (waited > 30_000) throw new Error("the plan lock stayed taken for 30 s");
    await new Promise((r) => setTimeout(r, 100));
    if ((await redis.get(k.fingerprint)) === fp) return none;
  }
  try {
    const stored = await redis.hgetall(k.accounts);
    const enabled = accounts.filter((a) => a.schedule.enabled);
    const wanted = new Set(enabled.map((a) => a.appId));
    const addNx: (string | number)[] = [];
    const replace: (string | number)[] = [];
    const fingerprints: string[] = [];
    let added = 0;
    let replanned = 0;
    const firstDue = dueCalculator(fullWindowMinutes, nowMs);
    for (const a of enabled) {
      const f = accountFingerprint(a, fullWindowMinutes);
      if (stored[a.appId] === f) continue;
      const into = stored[a.appId] === undefined ? addNx : replace;
      if (stored[a.appId] === undefined) added++;
      else replanned++;
      for (const source of SOURCES) for (const mode of MODES) into.push(firstDue(a, source, mode), planMember(a.appId, source, mode));
      fingerprints.push(a.appId, f);
    }
    const gone = Object.keys(stored).filter((id) => !wanted.has(id));
    const pairs = 2 * BATCH;
    const p = redis.pipeline();
    for (let i = 0; i < addNx.length; i += pairs) p.zadd(k.due, "NX", ...addNx.slice(i, i + pairs));
    for (let i = 0; i < replace.length; i += pairs) p.zadd(k.due, ...replace.slice(i, i + pairs));
    for (let i = 0; i < fingerprints.length; i += pairs) p.hset(k.accounts, ...fingerprints.slice(i, i + pairs));
    for (const id of gone) {
      p.zrem(k.due, ...SOURCES.flatMap((s) => MODES.map((m) => planMember(id, s, m))));
      p.hdel(k.accounts, id);
    }
    p.set(k.fingerprint, fp);
    const res = await p.exec();
    const failed = res?.find(([e]) => e);
    if (failed) throw failed[0];
    return { changed: true, added, replanned, removed: gone.length };
  } finally {
    await redis.eval(`if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`, 1, k.lock, token);
  }
}

/** Due times of these members (null when not planned), in order. */
export async function dueTimes(redis: Redis, prefix: string, members: string[]): Promise<(number | null)[]> {
  const k = planKeys(prefix);
  const out: (number | null)[] = [];
  for (let i = 0; i < members.length; i += BATCH) {
    const scores = await redis.zmscore(k.due, ...members.slice(i, i + BATCH));
    for (const s of scores) out.push(s === null ? null : Number(s));
  }
  return out;
}

/** Moves one target's due time (a paused run resumes at this time). */
export async function setDue(redis: Redis, prefix: string, member: string, atMs: number): Promise<void> {
  await redis.zadd(planKeys(prefix).due, "XX", atMs, member);
}

// KEYS[1] due set; ARGV: triples (member, expected score, next score). A member moves only
// if it still has the score this tick read: exactly one tick claims each due time.
const ADVANCE = `
local out = {}
for i = 1, #ARGV, 3 do
  local s = redis.call('zscore', KEYS[1], ARGV[i])
  if s and tonumber(s) == tonumber(ARGV[i + 1]) then
    redis.call('zadd', KEYS[1], ARGV[i + 2], ARGV[i])
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out`;

export interface DueEntry {
  member: string;
  due: number;
}

/** Targets due at `nowMs`, earliest first, at most `limit`. */
export async function dueEntries(redis: Redis, prefix: string, nowMs: number, limit: number): Promise<DueEntry[]> {
  const raw = await redis.zrangebyscore(planKeys(prefix).due, "-inf", nowMs, "WITHSCORES", "LIMIT", 0, limit);
  const out: DueEntry[] = [];
  for (let i = 0; i < raw.length; i += 2) out.push({ member: raw[i]!, due: Number(raw[i + 1]) });
  return out;
}

/** Claims due entries by moving each to its next time; returns which ones this caller claimed. */
export async function advance(redis: Redis, prefix: string, moves: { member: string; due: number; next: number }[]): Promise<boolean[]> {
  if (moves.length === 0) return [];
  const args = moves.flatMap((m) => [m.member, String(m.due), String(m.next)]);
  const r = (await redis.eval(ADVANCE, 1, planKeys(prefix).due, ...args)) as number[];
  return r.map((x) => x === 1);
}

/** Removes members (targets no longer configured that a tick found due). */
export async function dropMembers(redis: Redis, prefix: string, members: string[]): Promise<void> {
  if (members.length > 0) await redis.zrem(planKeys(prefix).due, ...members);
}
