// Writes pages: drops rows whose stored hash and flag already match (no write at all
// for them), counts inserted/updated/unchanged from that pre-read (the only source of
// the counts; the run holds the source's lock, so nothing writes these rows in between),
// and commits the rest with the checkpoint.
import type { ItemRow, StoreSource } from "../store/rows.ts";
import { rowKey } from "../store/rows.ts";
import type { ItemChange, SyncStore } from "../store/sync-store.ts";
import { changeKind } from "./change-kind.ts";
import type { PageSink, WrittenRow } from "./run-context.ts";
import type { RunCounters, RunProgress, Source } from "./types.ts";

export interface SinkDeps {
  store: SyncStore;
  accountId: number;
  runId: bigint;
  walkId: bigint;
  source: Source;
  storeSource: StoreSource;
  counters: RunCounters;
  /** the source has held deletions: every row a page lists is released from them */
  releaseHeld?: boolean;
  onProgress?: (p: RunProgress) => void;
}

/** Offset paging repeats items under drift: keep one row per key (the last read). */
function dedupe(rows: ItemRow[]): ItemRow[] {
  const byKey = new Map<string, ItemRow>();
  for (const r of rows) byKey.set(rowKey(r), r);
  return [...byKey.values()];
}

export function createPageSink(d: SinkDeps): PageSink {
  // distinct items of a walk without seen keys (incremental); full walks count the keys new to the walk in the store
  const seenHere = new Set<string>();
  const progress = (total: number | null): void => {
    d.onProgress?.({ ...d.counters, runId: d.runId.toString(), source: d.source, totalCount: total });
  };
  return {
    async write(pages, checkpoint, opts) {
      const all = pages.flatMap((p) => p.rows);
      const rows = dedupe(all);
      const stored = rows.length ? await d.store.storedState(d.accountId, d.storeSource, rows.map(rowKey)) : new Map();
      const walkRuns = new Set(opts.walkRunIds ?? [d.runId.toString()]);
      const status = new Map<string, WrittenRow>();
      const changed: ItemRow[] = [];
      const changes: ItemChange[] = [];
      let inserted = 0;
      let updated = 0;
      let unchanged = 0;
      for (const r of rows) {
        const key = rowKey(r);
        const s = stored.get(key);
        const writtenByWalk = s?.seenRunId != null && walkRuns.has(s.seenRunId.toString());
        if (!s || s.contentHash !== r.contentHash || s.isDeleted !== r.isDeleted) changes.push({ key, change: changeKind(s, r) });
        if (!s) {
          inserted++;
          changed.push(r);
          status.set(key, { key, status: "inserted", writtenByWalk: false });
        } else if (s.contentHash !== r.contentHash || s.isDeleted !== r.isDeleted) {
          updated++;
          changed.push(r);
          status.set(key, { key, status: "updated", writtenByWalk });
        } else {
          unchanged++;
          status.set(key, { key, status: "unchanged", writtenByWalk });
        }
      }
      let distinctNew = 0;
      if (!opts.seen) {
        for (const k of rows.map(rowKey)) {
          if (seenHere.has(k)) continue;
          seenHere.add(k);
          distinctNew++;
        }
      }
      const next: RunCounters = {
        ...d.counters,
        pages: d.counters.pages + (opts.verification ? 0 : pages.length),
        verificationReads: d.counters.verificationReads + (opts.verification ? pages.length : 0),
        apiCalls: d.counters.apiCalls + pages.reduce((n, p) => n + p.attempts, 0),
        itemsSeen: d.counters.itemsSeen + distinctNew,
        inserted: d.counters.inserted + inserted,
        updated: d.counters.updated + updated,
        // a verification re-read is not a second sighting of the items it repeats
        unchanged: d.counters.unchanged + (opts.verification ? 0 : unchanged),
      };
      next.itemsSeen += await d.store.writePage({
        accountId: d.accountId,
        runId: d.runId,
        source: d.storeSource,
        rows: changed,
        changes,
        seen: opts.seen ? { walkId: d.walkId, keys: rows.map(rowKey) } : undefined,
        release: d.releaseHeld ? { source: d.source, keys: rows.map(rowKey) } : undefined,
        checkpoint,
        counters: next,
      });
      Object.assign(d.counters, next);
      progress(pages.at(-1)?.total ?? null);
      return all.map((r) => status.get(rowKey(r))!);
    },
    async save(checkpoint) {
      await d.store.writePage({ accountId: d.accountId, runId: d.runId, source: d.storeSource, rows: [], changes: [], checkpoint, counters: { ...d.counters } });
    },
  };
}
