// How results leave the CLI as JSON for programs: snake_case (the same field names as
// sync_runs and the admin API), one document on one line. Lines for people: format.ts.
import type { RunResult } from "../sync/types.ts";

/** A run's result as JSON; counters are the totals of its walk (`runs` rows). */
export function runResultOut(r: RunResult, appId: string) {
  return {
    account: appId,
    source: r.source,
    mode: r.mode,
    status: r.status,
    run_id: r.runId,
    runs: r.runs,
    already_succeeded: r.alreadySucceeded,
    pages: r.pages,
    api_calls: r.apiCalls,
    items_seen: r.itemsSeen,
    inserted: r.inserted,
    updated: r.updated,
    unchanged: r.unchanged,
    marked_deleted: r.markedDeleted,
    verification_reads: r.verificationReads,
    removed_chars: r.removedChars,
    deletions_held: r.deletionsHeld,
    duration_ms: r.durationMs,
    consistency_note: r.consistencyNote,
    error_code: r.errorCode,
    error_message: r.errorMessage,
  };
}

/** Prints one JSON document on stdout, on one line (as line-based tools expect). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
