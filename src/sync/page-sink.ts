// Writes pages: drops rows whose stored hash and flag already match (no write at all
// for them), counts inserted/updated/unchanged from that pre-read (the only source of
// the counts; the run holds the source's lock, so nothing writes these rows in between),
// and commits the rest with the checkpoint. A full walk's batches each write one page row
// (the keys new to the walk, the checkpoint, the counters); the run row gets those at most
// once a second, for display: its end takes them from the newest page row.
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

/** A full walk saves its progress to the run row at most this often (its page rows have it all). */
const RUN_ROW_SAVE_MS = 1000;

/** Keys the walk has recorded (keys of this run only without `seen`) and the seq of its last page row. */
interface WalkKeys {
  keys: Set<string>;
  seq: number;
}

/** Offset paging repeats items under drift: keep one row per key (the last read). */
function dedupe(rows: ItemRow[]): ItemRow[] {
  const byKey = new Map<string, ItemRow>();
  for (const r of rows) byKey.set(rowKey(r), r);
  return [...byKey.values()];
}

export function createPageSink(d: SinkDeps): PageSink {
  let lastRunSave = performance.now();
  // a resumed full walk (its walk id is an earlier run's) continues its page rows and key set
  let walk: Promise<WalkKeys> | undefined;
  const walkKeys = (): Promise<WalkKeys> => {
    walk ??= d.walkId === d.runId
      ? Promise.resolve({ keys: new Set<string>(), seq: 0 })
      : d.store.walkSoFar(d.accountId, d.source, d.walkId).then((w) => ({ keys: new Set(w.keys), seq: w.lastSeq }));
    walk.catch(() => (walk = undefined));
    return walk;
  };
  const progress = (total: number | null): void => {
    d.onProgress?.({ ...d.counters, runId: d.runId.toString(), source: d.source, totalCount: total });
  };
  return {
    async write(pages, checkpoint, opts) {
      const all = pages.flatMap((p) => p.rows);
      const rows = dedupe(all);
      const keys = rows.map(rowKey);
      const stored = rows.length ? await d.store.storedState(d.accountId, d.storeSource, keys) : new Map();
      const walkRuns = new Set(opts.walkRunIds ?? [d.runId.toString()]);
      const status = new Map<string, WrittenRow>();
      const changed: ItemRow[] = [];
      const changes: ItemChange[] = [];
      let inserted = 0;
      let updated = 0;
      let unchanged = 0;
      let removedChars = 0;
      for (const r of rows) {
        const key = rowKey(r);
        const s = stored.get(key);
        const writtenByWalk = s?.seenRunId != null && walkRuns.has(s.seenRunId.toString());
        if (!s || s.contentHash !== r.contentHash || s.isDeleted !== r.isDeleted) changes.push({ key, change: changeKind(s, r) });
        if (!s || s.contentHash !== r.contentHash || s.isDeleted !== r.isDeleted) removedChars += r.removedChars;
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
      // items seen: keys new to the walk (full walks, across its runs) or to this run (incremental)
      const w = await walkKeys();
      const fresh = keys.filter((k) => !w.keys.has(k));
      const next: RunCounters = {
        ...d.counters,
        pages: d.counters.pages + (opts.verification ? 0 : pages.length),
        verificationReads: d.counters.verificationReads + (opts.verification ? pages.length : 0),
        apiCalls: d.counters.apiCalls + pages.reduce((n, p) => n + p.attempts, 0),
        itemsSeen: d.counters.itemsSeen + fresh.length,
        inserted: d.counters.inserted + inserted,
        updated: d.counters.updated + updated,
        // a verification re-read is not a second sighting of the items it repeats
        unchanged: d.counters.unchanged + (opts.verification ? 0 : unchanged),
        removedChars: d.counters.removedChars + removedChars,
      };
      const saveRun = !opts.seen || performance.now() - lastRunSave >= RUN_ROW_SAVE_MS;
      await d.store.writePage({
        accountId: d.accountId,
        runId: d.runId,
        source: d.storeSource,
        rows: changed,
        changes,
        walk: opts.seen ? { sourceName: d.source, walkId: d.walkId, seq: w.seq + 1, keys: fresh, saveRun } : undefined,
        release: d.releaseHeld ? { source: d.source, keys } : undefined,
        checkpoint,
        counters: next,
      });
      // committed: only now do the keys and the slot count as the walk's
      for (const k of fresh) w.keys.add(k);
      if (opts.seen) w.seq++;
      if (saveRun) lastRunSave = performance.now();
      Object.assign(d.counters, next);
      progress(pages.at(-1)?.total ?? null);
      return all.map((r) => status.get(rowKey(r))!);
    },
  };
}
