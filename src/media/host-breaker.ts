// The host breaker of one media pass: consecutive "host is down" failures of a host (no
// HTTP answer at all) with no success between them trip it; a tripped host is not asked
// again in this pass, and the assets left are counted for the pass's one line. Any HTTP
// answer, even a 404 or a 500, proves the host up and resets its count.
import type { HostDownReason } from "./errors.ts";

export interface TrippedHost {
  host: string;
  reason: HostDownReason;
  /** consecutive failures that tripped it */
  failures: number;
  /** assets of the host left for a later pass */
  deferred: number;
}

export class HostBreaker {
  private readonly consecutive = new Map<string, number>();
  private readonly open = new Map<string, TrippedHost>();
  private readonly aborts = new Map<string, AbortController>();

  constructor(private readonly threshold: number) {}

  isOpen(host: string): boolean {
    return this.open.has(host);
  }

  /** Aborted when the host's breaker trips: downloads of the host in flight stop at once. */
  signalOf(host: string): AbortSignal {
    let c = this.aborts.get(host);
    if (!c) this.aborts.set(host, (c = new AbortController()));
    return c.signal;
  }

  /** Why an open host was found down (null while it is not). */
  reasonOf(host: string): HostDownReason | null {
    return this.open.get(host)?.reason ?? null;
  }

  /** The host answered (any HTTP status). */
  answered(host: string): void {
    if (!this.open.has(host)) this.consecutive.delete(host);
  }

  /** The host did not answer; returns whether the breaker is open now. */
  down(host: string, reason: HostDownReason): boolean {
    const tripped = this.open.get(host);
    if (tripped) return true;
    const n = (this.consecutive.get(host) ?? 0) + 1;
    this.consecutive.set(host, n);
    if (n < this.threshold) return false;
    this.open.set(host, { host, reason, failures: n, deferred: 0 });
    this.aborts.get(host)?.abort();
    return true;
  }

  /** An asset of an open host left for a later pass. */
  deferred(host: string): void {
    const t = this.open.get(host);
    if (t) t.deferred++;
  }

  tripped(): TrippedHost[] {
    return [...this.open.values()];
  }
}

/** The breaker's key of a URL: host[:port] as the URL names it, lower-case. */
export function hostKey(url: string): string {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return "";
  }
}
