// WeChat's daily quotas reset at 00:00 Asia/Shanghai (UTC+8, no daylight saving).
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

export function nextQuotaReset(now: Date = new Date()): Date {
  const local = now.getTime() + SHANGHAI_OFFSET_MS;
  return new Date((Math.floor(local / DAY_MS) + 1) * DAY_MS - SHANGHAI_OFFSET_MS);
}

/** The quota day `now` falls in (days since the epoch, Asia/Shanghai): WeChat's counters are per day. */
export function quotaDay(now: Date = new Date()): number {
  return Math.floor((now.getTime() + SHANGHAI_OFFSET_MS) / DAY_MS);
}
