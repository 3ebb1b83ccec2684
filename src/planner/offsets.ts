// When an (account, source) is due: a stable offset from a hash of its app id and source,
// so every replica computes the same times and runs are spread instead of aligned.
import { createHash } from "node:crypto";
import { CronExpressionParser } from "cron-parser";

/** A number in [0, modulus) fixed by (appId, source, salt): the same on every replica and restart. */
export function stableOffset(appId: string, source: string, salt: string, modulus: number): number {
  if (modulus <= 1) return 0;
  const h = createHash("sha1").update(`${appId}|${source}|${salt}`).digest();
  // 48 bits are plenty and exact in a double
  return h.readUIntBE(0, 6) % modulus;
}

/** The first time after `now` that is `offsetMs` past a multiple of `intervalMs` (epoch-aligned). */
export function nextSlot(nowMs: number, intervalMs: number, offsetMs: number): number {
  const base = Math.floor((nowMs - offsetMs) / intervalMs) * intervalMs + offsetMs;
  return base > nowMs ? base : base + intervalMs;
}

export function incrementalOffsetMs(appId: string, source: string, intervalMs: number): number {
  // whole seconds: due times print cleanly and the spread is still fine-grained
  return stableOffset(appId, source, "incremental", Math.max(1, Math.floor(intervalMs / 1000))) * 1000;
}

export function nextIncrementalDue(appId: string, source: string, intervalMinutes: number, nowMs: number): number {
  const intervalMs = intervalMinutes * 60_000;
  return nextSlot(nowMs, intervalMs, incrementalOffsetMs(appId, source, intervalMs));
}

/**
 * The next full run: the next firing of `fullCron` (UTC) whose spread slot is after `now`;
 * the slot is the firing plus a stable offset inside the daily window, so the full runs of
 * many accounts spread over `windowMinutes` instead of all starting at the cron minute.
 */
export function nextFullDue(appId: string, source: string, fullCron: string, windowMinutes: number, nowMs: number): number {
  return fullDueFinder(fullCron, windowMinutes, nowMs)(appId, source);
}

/**
 * nextFullDue for many targets of one cron pattern: the firings that can matter (from one
 * window before now to the first after now) are computed once, then each target is a
 * binary search. Parsing the pattern per target made a 10,000-account plan take seconds.
 */
export function fullDueFinder(fullCron: string, windowMinutes: number, nowMs: number): (appId: string, source: string) => number {
  const windowS = Math.max(1, windowMinutes * 60);
  const it = CronExpressionParser.parse(fullCron, { currentDate: new Date(nowMs - windowS * 1000 - 1000), tz: "UTC" });
  const firings: number[] = [];
  for (;;) {
    const t = it.next().getTime();
    firings.push(t);
    if (t > nowMs) break;
  }
  return (appId, source) => {
    const offsetMs = stableOffset(appId, source, "full", windowS) * 1000;
    // the first firing f with f + offset > now (the last firing is after now, so there is one)
    let lo = 0;
    let hi = firings.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (firings[mid]! + offsetMs > nowMs) hi = mid;
      else lo = mid + 1;
    }
    return firings[lo]! + offsetMs;
  };
}
