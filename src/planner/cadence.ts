// The incremental interval in effect for a source: the configured one while the day's
// known budget affords it, else stretched evenly over what is left of the quota day.
import { nextQuotaReset } from "../sync/quota-reset.ts";
import type { QuotaView } from "../sync/quota-gate.ts";

export interface Cadence {
  /** minutes between incremental runs in effect */
  minutes: number;
  configuredMinutes: number;
  reason: string;
}

export interface CadenceInput {
  configuredMinutes: number;
  view: QuotaView | null;
  /** sources of the account that share this API (1 for published, 4 for the materials) */
  sourcesOnApi: number;
  /** calls the full walks planned before the reset still need */
  fullNeed: number;
  nowMs: number;
}

export function incrementalCadence(i: CadenceInput): Cadence {
  const configured = i.configuredMinutes;
  const v = i.view;
  if (!v || !v.known || v.limit === null || v.used === null || v.reserve === null) {
    return { minutes: configured, configuredMinutes: configured, reason: v?.error ? `configured (quota unreadable: ${v.error})` : "configured (quota not read yet)" };
  }
  const minutesLeft = Math.max(1, Math.ceil((nextQuotaReset(new Date(i.nowMs)).getTime() - i.nowMs) / 60_000));
  const available = v.limit - v.reserve - v.used - i.fullNeed;
  const wanted = i.sourcesOnApi * Math.ceil(minutesLeft / configured);
  if (available >= wanted) {
    return { minutes: configured, configuredMinutes: configured, reason: `configured: ${available} calls left today after the reserve and full runs, ${wanted} needed` };
  }
  if (available <= 0) {
    return { minutes: minutesLeft, configuredMinutes: configured, reason: `stretched: no calls left today after the reserve (${v.reserve}) and full runs (${i.fullNeed}); next after the quota reset` };
  }
  const minutes = Math.max(configured, Math.ceil((minutesLeft * i.sourcesOnApi) / available));
  return { minutes, configuredMinutes: configured, reason: `stretched: ${available} calls left today for ${i.sourcesOnApi} source(s) over ${minutesLeft} min (reserve ${v.reserve}, full runs ${i.fullNeed})` };
}
