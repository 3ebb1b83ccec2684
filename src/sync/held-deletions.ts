// The operator's side of the deletion circuit breaker: list the held deletions and apply
// them at once (mpsync deletions status|apply). Applying takes the (account, source) sync
// lock, so it never interleaves with a run of that source.
import type { SyncStore } from "../store/sync-store.ts";
import { storeSourceOf } from "./page-reader.ts";
import { syncLockName } from "./lock-name.ts";
import { SOURCES, type Source } from "./types.ts";

export interface HeldDeletions {
  appId: string;
  source: Source;
  held: number;
  /** sync_runs.id of the full run that held them */
  runId: string;
  heldSince: Date;
}

export interface AppliedDeletions extends HeldDeletions {
  /** rows marked deleted (held rows already deleted meanwhile are not counted) */
  applied: number;
  /** "locked": a run of this source is in progress; nothing was applied, try again */
  status: "applied" | "locked";
}

export async function heldDeletions(store: SyncStore, filter: { appIds: string[]; source?: Source }): Promise<HeldDeletions[]> {
  const rows = await store.heldDeletions({ appIds: filter.appIds, source: filter.source });
  return rows
    .filter((r): r is typeof r & { source: Source } => (SOURCES as readonly string[]).includes(r.source))
    .map((r) => ({ appId: r.appId, source: r.source, held: r.held, runId: r.runId.toString(), heldSince: r.heldSince }));
}

export async function applyHeldDeletions(store: SyncStore, filter: { appIds: string[]; source?: Source }): Promise<AppliedDeletions[]> {
  const out: AppliedDeletions[] = [];
  for (const h of await store.heldDeletions({ appIds: filter.appIds, source: filter.source })) {
    const source = h.source as Source;
    const base = { appId: h.appId, source, held: h.held, runId: h.runId.toString(), heldSince: h.heldSince };
    const lock = await store.lock(syncLockName(h.appId, source));
    if (!lock) {
      out.push({ ...base, applied: 0, status: "locked" });
      continue;
    }
    try {
      out.push({ ...base, applied: await store.applyHeld(h.accountId, storeSourceOf(source), source), status: "applied" });
    } finally {
      await lock.release();
    }
  }
  return out;
}
