// The sound sequential rule, used by the repair pass of full walks and by incremental
// walks. Invariant: every item that existed throughout the walk and sat before
// nextOffset at the time of the last response has been read.
//
// Read the page at nextOffset; it reports total t. New items appear only at the head,
// deletions anywhere, edits do not reorder. If t >= lastTotal, inserts since the last
// response were at least as many as deletions, so no item moved up across nextOffset:
// advance by a page. If t < lastTotal by d, up to d items may have slid from above
// nextOffset into [nextOffset-d, nextOffset): rewind to nextOffset-d (the page read
// there covers the gap; the repeated items are absorbed by their keys). Complete when
// nextOffset >= the latest total. Each rewind costs one request. Bounded: after
// maxRewinds the walk only advances (it still reads every remaining page, but a shift
// may now hide an item), and after maxRequests it stops; either makes it incomplete.
import { PAGE_SIZE } from "./page-reader.ts";
import type { WalkContext, WrittenRow } from "./run-context.ts";
import type { SequentialState } from "./checkpoint.ts";
import { abortedError, throwIfAborted } from "./abort.ts";

export interface SequentialOptions {
  /** rewinds allowed; later shrinks are counted as unrepaired */
  maxRewinds: number;
  /** requests this walk may make in all (resumes included) */
  maxRequests: number;
  /** the checkpoint to save with a page, given the state after it */
  checkpoint(state: SequentialState): unknown;
  seen: boolean;
  walkRunIds?: string[];
  /** incremental: stop early after this page */
  stopAfter?(written: WrittenRow[]): boolean;
}

export type SequentialResult = { complete: true; stoppedEarly: boolean } | { complete: false; note: string };

export async function walkSequential(ctx: WalkContext, start: SequentialState, opts: SequentialOptions): Promise<SequentialResult> {
  let state = start;
  const unsettled = (what: string): SequentialResult => ({
    complete: false,
    note: `the list kept changing while it was walked (${state.rewinds} re-reads after deletions, ${state.unrepaired} shrinks left unrepaired, ${state.requests} requests); ${what}`,
  });
  for (;;) {
    if (state.lastTotal !== null && state.nextOffset >= state.lastTotal) {
      return state.unrepaired > 0 ? unsettled("every page was read but a shift may have hidden items") : { complete: true, stoppedEarly: false };
    }
    if (state.requests >= opts.maxRequests) return unsettled(`walk stopped at offset ${state.nextOffset} of ${state.lastTotal ?? "?"}`);
    throwIfAborted(ctx);
    const page = await ctx.reader.fetch(state.nextOffset, ctx.signal).catch((e: unknown) => {
      throw ctx.signal?.aborted ? abortedError(ctx) : e;
    });
    const shrunk = state.lastTotal !== null && page.total < state.lastTotal;
    const rewind = shrunk && state.rewinds < opts.maxRewinds;
    const next: SequentialState = {
      nextOffset: rewind ? Math.max(0, state.nextOffset - (state.lastTotal! - page.total)) : state.nextOffset + PAGE_SIZE,
      lastTotal: page.total,
      rewinds: state.rewinds + (rewind ? 1 : 0),
      unrepaired: state.unrepaired + (shrunk && !rewind ? 1 : 0),
      requests: state.requests + 1,
    };
    const written = await ctx.sink.write([page], opts.checkpoint(next), { seen: opts.seen, walkRunIds: opts.walkRunIds });
    state = next;
    if (!rewind && page.rows.length > 0 && opts.stopAfter?.(written)) return { complete: true, stoppedEarly: true };
  }
}

