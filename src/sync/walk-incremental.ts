// Incremental walk: from the head, with the sound sequential rule, until the walk
// reaches items stored before it and unchanged. New items appear only at the head, so
// once OVERLAP such items follow the last new one on a page, everything after them is
// already stored; requiring several (not one) keeps a boundary shift from ending the
// walk on a repeated item. Edits deeper in the list are left to the periodic full run.
// It never marks anything deleted. With nothing changed: one request, no row written.
import type { WalkContext, WrittenRow } from "./run-context.ts";
import type { IncrementalCheckpoint } from "./checkpoint.ts";
import { walkSequential } from "./walk-sequential.ts";

export const OVERLAP = 3;
const MAX_REWINDS = 25;

/** Stop after a page whose last new item is followed by OVERLAP items stored before this walk and unchanged. */
export function reachedStoredItems(written: WrittenRow[]): boolean {
  let run = 0;
  for (const w of written) {
    const isNew = w.status === "inserted" || w.writtenByWalk;
    if (isNew) run = 0;
    else if (w.status === "unchanged") run++;
  }
  return run >= Math.min(OVERLAP, written.length);
}

export async function walkIncremental(ctx: WalkContext, cp: IncrementalCheckpoint): Promise<{ note: string | null }> {
  const result = await walkSequential(ctx, cp.walk, {
    maxRewinds: MAX_REWINDS,
    maxRequests: Number.MAX_SAFE_INTEGER,
    seen: false,
    walkRunIds: cp.runIds,
    checkpoint: (walk) => ({ ...cp, walk }),
    stopAfter: reachedStoredItems,
  });
  return { note: result.complete ? null : `incremental walk ended early: ${result.note}` };
}
