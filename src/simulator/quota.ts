// Per-API daily quotas as WeChat keeps them: each API path has a daily limit (unlimited
// unless set), every answered call spends one, a spent API answers 45009 until a new
// quota day (tests start one with newDay()) or clear_quota (at most 10 a month, 48006 beyond).
export const CLEAR_QUOTA_MONTHLY = 10;

export class QuotaLedger {
  private limits = new Map<string, number>();
  private used = new Map<string, number>();
  private clears = 0;

  /** replaces the daily limits (path → calls a day); paths left out become unlimited. Used counts survive. */
  setLimits(limits: Record<string, number>): void {
    for (const [path, n] of Object.entries(limits)) {
      if (!Number.isInteger(n) || n < 0) throw new RangeError(`dailyLimits[${path}] must be a non-negative integer`);
    }
    this.limits = new Map(Object.entries(limits));
  }

  limitOf(path: string): number | undefined {
    return this.limits.get(path);
  }

  usedOf(path: string): number {
    return this.used.get(path) ?? 0;
  }

  /** a call of `path` is being answered: 45009 when its quota is spent, else it is counted */
  take(path: string): 45009 | undefined {
    const limit = this.limits.get(path);
    const used = this.usedOf(path);
    if (limit !== undefined && used >= limit) return 45009;
    this.used.set(path, used + 1);
    return undefined;
  }

  /** calls made by someone else (the owner's other systems) on the same quota */
  spend(path: string, calls: number): void {
    this.used.set(path, this.usedOf(path) + calls);
  }

  /** 00:00 Asia/Shanghai: every counter starts again */
  newDay(): void {
    this.used.clear();
  }

  /** POST /cgi-bin/clear_quota: 48006 once the month's clears are spent */
  clear(): 48006 | undefined {
    if (this.clears >= CLEAR_QUOTA_MONTHLY) return 48006;
    this.clears++;
    this.used.clear();
    return undefined;
  }

  snapshot(): { limits: Record<string, number>; used: Record<string, number>; clears: number } {
    return { limits: Object.fromEntries(this.limits), used: Object.fromEntries(this.used), clears: this.clears };
  }
}
