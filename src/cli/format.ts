// The one-line summary of a finished run, for `mpsync sync` (inline and --wait).
import type { RunResult } from "../sync/types.ts";

export function formatResult(r: RunResult, appId: string): string {
  const note = r.consistencyNote ? ` (${r.consistencyNote})` : "";
  return `${appId} ${r.source} ${r.mode}: ${r.pages} pages, ${r.apiCalls} API calls, ${r.inserted} inserted, ${r.updated} updated, ${r.unchanged} unchanged, ${r.markedDeleted} deleted in ${r.durationMs} ms${note}`;
}
