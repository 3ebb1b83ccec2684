// A sync_runs row as /admin/runs and `mpsync status --json` show it.
// Error messages come from typed errors built without secrets (src/wechat/, src/sync/).
import { iso } from "../format/iso.ts";
import { countersByColumn } from "../store/run-counters.ts";
import type { RunRecord } from "../store/read-store.ts";

/** A run row; `walk` sums the rows of its walk (a run resumed after interruptions spans several). */
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
    deletions_held: r.deletionsHeld,
    error_code: r.errorCode,
    error_message: r.errorMessage,
    consistency_note: r.consistencyNote,
    job_id: r.jobId,
    walk: {
      first_run_id: r.walk.firstRunId.toString(),
      runs: r.walk.runs,
      started_at: iso(r.walk.startedAt),
      ...countersByColumn(r.walk.counters),
    },
    paused_reason: r.pausedReason,
    resume_at: iso(r.resumeAt),
  };
}
export type RunOut = ReturnType<typeof runOut>;
