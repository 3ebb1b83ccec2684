// The user's abort (shutdown): stop between pages; the checkpoint of the last page is saved.
import { SyncAbortedError } from "./errors.ts";
import type { WalkContext } from "./run-context.ts";

export function abortedError(ctx: WalkContext): SyncAbortedError {
  return new SyncAbortedError(ctx.runId);
}

export function throwIfAborted(ctx: WalkContext): void {
  if (ctx.signal?.aborted) throw abortedError(ctx);
}
