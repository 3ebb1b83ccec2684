// A sync_runs row as /admin/runs and `mpsync status --json` show it.
// Error messages come from typed errors built without secrets (src/wechat/, src/sync/).
import { iso } from "../format/iso.ts";
import { countersByColumn } from "../store/run-counters.ts";
import type { RunRecord } from "../store/read-store.ts";

export function runOut(r: RunRecord) {
  return {
    id: r.id.toString(),
    account: r.appId,
    source: r.source,
    mode: r.mode,
    trigger: r.trigger,
    status: r.status,
    started_at: iso(r.startedAt),
    finished_at: iso(r.finishedAt),
    ...countersByColumn(r),
    error_code: r.errorCode,
    error_message: r.errorMessage,
    consistency_note: r.consistencyNote,
  };
}
export type RunOut = ReturnType<typeof runOut>;
