// Full walk of one source: read every page, then mark absences only if the walk is
// known consistent. See docs/sync-algorithm.md for the argument in full.
//
// Model: new items appear only at the head (offset 0); deletions happen anywhere and
// are permanent; edits do not reorder. Offset paging over such a list can repeat
// items (absorbed by their keys) or skip them (an item moves up across a page
// boundary when something before it is deleted). Goal: no item that existed for the
// whole run is missed, and nothing is marked deleted because of a shift.
//
// 1. Scan (optimistic, concurrent). Page 0 is read alone: its total T0 and first key
//    H are remembered. Then up to `concurrency` pages are in flight (the next ones are
//    asked for while a batch commits), at most twice that many pages ahead of the last
//    committed one (memory stays flat). Pages are committed in
//    offset order, each batch of contiguous pages in one transaction with the
//    checkpoint, so the checkpoint is always a contiguous prefix. The scan continues
//    until the committed prefix reaches the largest total seen. While committing, it
//    notes whether some page reported a smaller total than the page before it in
//    offset order ("shrink"), and whether requests were in flight together
//    ("overlapped": then they may have been served out of order).
// 2. Decide.
//    - No shrink, not overlapped: pages were served in offset order with non-decreasing
//      totals, which is the sound sequential rule (walk-sequential.ts): consistent.
//    - No shrink, overlapped: read page 0 again (one extra request). If H is at index k
//      and the total is now T0 + k, then the k items before H are exactly the inserts
//      that survived and no pre-existing item was deleted during the run. Each response
//      then saw the original list shifted down by (its total - T0), so page windows in
//      original positions leave no gap exactly when totals do not decrease along offset
//      order, which the scan checked: consistent. (This also covers the static case.)
//    - Otherwise: repair.
// 3. Repair: one sequential pass from offset 0 with the sound rule (rewind by d after a
//    total drops by d), bounded in rewinds and requests. Completing it makes the walk
//    consistent; hitting the bound finishes the run without marking absences and says
//    why in sync_runs.consistency_note.
// Every batch of pages read during the walk records its keys in the walk's page row
// (sync_walk_pages, same transaction, with the checkpoint), so the seen set, like the
// checkpoint, survives a crash; absence marking uses it.
import { rowKey } from "../store/rows.ts";
import { PAGE_SIZE, type FetchedPage } from "./page-reader.ts";
import type { WalkContext } from "./run-context.ts";
import { newSequentialState, type FullCheckpoint, type ScanState } from "./checkpoint.ts";
import { walkSequential } from "./walk-sequential.ts";
import { abortedError, throwIfAborted } from "./abort.ts";
import { setImmediate as ioTurn } from "node:timers/promises";

/** Bounds of the repair pass; tests lower them to reach the unsettled case. */
export interface RepairLimits {
  /** rewinds allowed: at least this many, or one per page of the list if more */
  minRewinds: number;
  /** requests allowed: this many times the pages of the list, plus minRewinds */
  requestsPerPage: number;
}

export const DEFAULT_REPAIR_LIMITS: RepairLimits = { minRewinds: 25, requestsPerPage: 3 };

export interface FullWalkResult {
  consistent: boolean;
  note: string | null;
}

export async function walkFull(ctx: WalkContext, start: FullCheckpoint, limits: RepairLimits = DEFAULT_REPAIR_LIMITS): Promise<FullWalkResult> {
  let cp = start;
  for (;;) {
    switch (cp.phase) {
      case "scan":
        cp = await scan(ctx, cp);
        break;
      case "verify":
        cp = await verify(ctx, cp);
        break;
      case "repair":
        return repair(ctx, cp, limits);
      case "done":
        return { consistent: cp.consistent === true, note: cp.note };
    }
  }
}

function afterScan(cp: FullCheckpoint, s: ScanState): FullCheckpoint {
  if (s.nextOffset < s.maxTotal || s.t0 === null) return { ...cp, scan: s };
  if (s.shrink) return { ...cp, scan: s, phase: "repair", repair: newSequentialState() };
  if (s.overlapped) return { ...cp, scan: s, phase: "verify" };
  return { ...cp, scan: s, phase: "done", consistent: true, note: null };
}

async function scan(ctx: WalkContext, start: FullCheckpoint): Promise<FullCheckpoint> {
  let cp = start;
  const s: ScanState = { ...cp.scan };
  // requests of this scan are cancelled together when it ends early (error or abort)
  const cancel = new AbortController();
  const onAbort = (): void => cancel.abort();
  ctx.signal?.addEventListener("abort", onAbort);
  const inflight = new Map<number, Promise<FetchedPage>>();
  const settled = new Map<number, FetchedPage>();
  let dispatch = s.nextOffset;
  // a request failed (e.g. 45009, the quota spent): the scan ends when it reaches that
  // page, so nothing more is asked for meanwhile
  let failed = false;
  const fill = (): void => {
    // page 0 alone first: its total sizes the walk
    const limit = s.t0 === null ? 1 : s.maxTotal;
    while (!failed && !ctx.signal?.aborted && inflight.size < ctx.concurrency && dispatch < limit) {
      if (inflight.size > 0) s.overlapped = true;
      const offset = dispatch;
      const p = ctx.reader.fetch(offset, cancel.signal);
      p.then(
        (page) => settled.set(offset, page),
        () => {
          failed = true;
        },
      );
      inflight.set(offset, p);
      dispatch += PAGE_SIZE;
    }
  };
  try {
    for (;;) {
      fill();
      if (inflight.size === 0) {
        throwIfAborted(ctx);
        return afterScan(cp, s);
      }
      const first = await inflight.get(s.nextOffset)!.catch((e: unknown) => {
        throw ctx.signal?.aborted ? abortedError(ctx) : e;
      });
      // responses that arrived together with it settle in this I/O turn: let them, so they
      // join its batch (one transaction and one page row for all) instead of trailing alone
      if (inflight.size > 1) await ioTurn();
      const pages = [first];
      inflight.delete(s.nextOffset);
      settled.delete(s.nextOffset);
      for (let off = s.nextOffset + PAGE_SIZE; settled.has(off) && pages.length < ctx.concurrency; off += PAGE_SIZE) {
        pages.push(settled.get(off)!);
        settled.delete(off);
        inflight.delete(off);
      }
      for (const p of pages) {
        if (s.t0 === null) {
          s.t0 = p.total;
          s.headKey = p.rows[0] ? rowKey(p.rows[0]) : null;
        }
        if (s.prevTotal !== null && p.total < s.prevTotal) s.shrink = true;
        s.prevTotal = p.total;
        s.maxTotal = Math.max(s.maxTotal, p.total);
        s.nextOffset = p.offset + PAGE_SIZE;
      }
      cp = afterScan(cp, { ...s });
      // the next requests go out before this batch is written, so the account's request
      // slots do not idle while a transaction commits (held pages: at most twice the
      // concurrency); an overlap this causes is recorded with the next batch
      if (cp.phase === "scan") fill();
      await ctx.sink.write(pages, cp, { seen: true });
      if (cp.phase !== "scan") return cp;
      throwIfAborted(ctx);
    }
  } finally {
    ctx.signal?.removeEventListener("abort", onAbort);
    cancel.abort();
    await Promise.allSettled(inflight.values());
  }
}

async function verify(ctx: WalkContext, cp: FullCheckpoint): Promise<FullCheckpoint> {
  throwIfAborted(ctx);
  const page = await ctx.reader.fetch(0, ctx.signal).catch((e: unknown) => {
    throw ctx.signal?.aborted ? abortedError(ctx) : e;
  });
  const k = cp.scan.headKey === null ? -1 : page.rows.findIndex((r) => rowKey(r) === cp.scan.headKey);
  const onlyInserts = k >= 0 && cp.scan.t0 !== null && page.total === cp.scan.t0 + k;
  const next: FullCheckpoint = onlyInserts
    ? { ...cp, phase: "done", consistent: true, note: null }
    : { ...cp, phase: "repair", repair: newSequentialState() };
  await ctx.sink.write([page], next, { seen: true, verification: true });
  return next;
}

async function repair(ctx: WalkContext, cp: FullCheckpoint, limits: RepairLimits): Promise<FullWalkResult> {
  const pages = Math.ceil(cp.scan.maxTotal / PAGE_SIZE);
  const result = await walkSequential(ctx, cp.repair ?? newSequentialState(), {
    maxRewinds: Math.max(limits.minRewinds, pages),
    maxRequests: limits.requestsPerPage * pages + limits.minRewinds,
    seen: true,
    checkpoint: (state) => ({ ...cp, phase: "repair", repair: state }),
  });
  if (result.complete) return { consistent: true, note: null };
  return { consistent: false, note: `absences not marked deleted: ${result.note}` };
}
