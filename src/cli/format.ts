// The one-line summary of a finished run, for `mpsync sync` (inline and --wait): the
// totals of its walk, and what else is worth saying about it.
import type { RunResult } from "../sync/types.ts";

export function formatResult(r: RunResult, appId: string): string {
  // a queued run paused by the daily quota: its job completed with the reason (jobs/processors/sync-run.ts)
  if (r.status === "paused") return `${appId} ${r.source} ${r.mode}: paused: ${r.errorMessage ?? "daily quota"}`;
  const notes = [
    r.runs > 1 ? `over ${r.runs} runs` : "",
    r.alreadySucceeded ? "already done by this job: not run again" : "",
    r.deletionsHeld > 0 ? `${r.deletionsHeld} deletions held (mpsync deletions status)` : "",
    r.consistencyNote ?? "",
  ].filter(Boolean);
  const note = notes.length ? ` (${notes.join("; ")})` : "";
  return `${appId} ${r.source} ${r.mode}: ${r.pages} pages, ${r.apiCalls} API calls, ${r.inserted} inserted, ${r.updated} updated, ${r.unchanged} unchanged, ${r.markedDeleted} deleted in ${r.durationMs} ms${note}`;
}
