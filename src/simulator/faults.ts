// Fault decisions for one request. Randomness comes from a PRNG reseeded on every
// setFaults, so a test that sets the same faults sees the same sequence of outcomes.
import { createRng, type Rng } from "./random.ts";
import { MALFORMED_KINDS, type FaultOptions, type MalformedKind } from "./types.ts";

/** Endpoints faults apply to when `endpoints` is omitted: the list and count calls. */
export const LIST_ENDPOINTS = ["/cgi-bin/freepublish/batchget", "/cgi-bin/material/batchget_material"] as const;
export const DEFAULT_FAULT_ENDPOINTS: readonly string[] = [...LIST_ENDPOINTS, "/cgi-bin/material/get_materialcount"];

export function isListEndpoint(path: string): boolean {
  return (LIST_ENDPOINTS as readonly string[]).includes(path);
}

/** "/cgi-bin/token" matches "/cgi-bin/token", "cgi-bin/token" and "token". */
export function endpointMatches(path: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => path === p || path.endsWith(p.startsWith("/") ? p : `/${p}`));
}

export type TransportFault = "http5xx" | "reset" | undefined;

export class FaultController {
  private f: FaultOptions = {};
  private rng: Rng = createRng(1);
  private burstLeft = 0;
  private malformedLeft = 0;
  private malformedApplied = 0;
  private quotaUsed = 0;

  constructor(faults: FaultOptions = {}) {
    this.set(faults);
  }

  set(faults: FaultOptions): void {
    for (const k of ["systemBusyRate", "http5xxRate", "resetRate", "truncateRate"] as const) {
      const v = faults[k];
      if (v !== undefined && !(v >= 0 && v <= 1)) throw new RangeError(`faults.${k} must be between 0 and 1`);
    }
    const mk = faults.malformedKind;
    if (mk !== undefined && mk !== "alternate" && !MALFORMED_KINDS.includes(mk)) throw new RangeError(`faults.malformedKind must be alternate or one of ${MALFORMED_KINDS.join(", ")}`);
    this.f = { ...faults };
    this.rng = createRng(faults.seed ?? 1);
    this.burstLeft = faults.rateLimitBurst ?? 0;
    this.malformedLeft = faults.malformedPages ?? 0;
    this.malformedApplied = 0;
    this.quotaUsed = 0;
  }

  current(): FaultOptions & { rateLimitLeft: number; malformedLeft: number; quotaUsed: number } {
    return { ...this.f, rateLimitLeft: this.burstLeft, malformedLeft: this.malformedLeft, quotaUsed: this.quotaUsed };
  }

  applies(path: string): boolean {
    return endpointMatches(path, this.f.endpoints ?? DEFAULT_FAULT_ENDPOINTS);
  }

  private chance(rate: number | undefined): boolean {
    // draw only when the fault is on, so enabling one fault does not shift another's sequence
    return rate !== undefined && rate > 0 && this.rng() < rate;
  }

  delayMs(path: string): number {
    if (!this.applies(path)) return 0;
    const base = this.f.latencyMs ?? 0;
    const jitter = this.f.jitterMs ?? 0;
    return base + (jitter > 0 ? Math.floor(this.rng() * jitter) : 0);
  }

  transport(path: string): TransportFault {
    if (!this.applies(path)) return undefined;
    if (this.chance(this.f.resetRate)) return "reset";
    if (this.chance(this.f.http5xxRate)) return "http5xx";
    return undefined;
  }

  http5xxStatus(): number {
    return [500, 502, 503][Math.floor(this.rng() * 3)]!;
  }

  /** an errcode to answer instead of the real response, if any (after the token check) */
  errcode(path: string): number | undefined {
    if (!this.applies(path)) return undefined;
    if (this.f.forceErrcode !== undefined) return this.f.forceErrcode;
    if (this.burstLeft > 0) {
      this.burstLeft--;
      return 45011;
    }
    if (isListEndpoint(path) && this.f.quotaBudget !== undefined) {
      if (this.quotaUsed >= this.f.quotaBudget) return 45009;
      this.quotaUsed++;
    }
    if (this.chance(this.f.systemBusyRate)) return -1;
    return undefined;
  }

  quota(): { dailyLimit: number; used: number } | undefined {
    return this.f.quotaBudget === undefined ? undefined : { dailyLimit: this.f.quotaBudget, used: this.quotaUsed };
  }

  /** how to malform this list response, if at all */
  malform(path: string): MalformedKind | undefined {
    if (!this.applies(path) || !isListEndpoint(path) || this.malformedLeft <= 0) return undefined;
    this.malformedLeft--;
    const kind = this.f.malformedKind ?? "alternate";
    const n = this.malformedApplied++;
    if (kind === "alternate") return n % 2 === 0 ? "missing-id" : "item-count";
    return kind;
  }

  truncate(path: string): boolean {
    return this.applies(path) && this.chance(this.f.truncateRate);
  }
}
