// What a walk needs while it runs: where to read, how to write a page with its
// checkpoint, the counters, and when to stop.
import type { ItemRow } from "../store/rows.ts";
import type { PageReader } from "./page-reader.ts";
import type { RunCounters } from "./types.ts";

export type RowStatus = "inserted" | "updated" | "unchanged";

export interface WrittenRow {
  key: string;
  status: RowStatus;
  /** the stored row was written by this walk (not stored before it) */
  writtenByWalk: boolean;
}

export interface PageSink {
  /**
   * Writes the rows of one or more contiguous pages and the checkpoint in one
   * transaction; `seen` (full walks) records them in the walk's page row, with the keys
   * for absence marking.
   */
  write(
    pages: { rows: ItemRow[]; attempts: number; total: number }[],
    checkpoint: unknown,
    /** verification: a re-read to check the walk, counted in verificationReads rather than pages */
    opts: { seen: boolean; walkRunIds?: string[]; verification?: boolean },
  ): Promise<WrittenRow[]>;
}

export interface WalkContext {
  /** sync_runs.id of this run, for SyncAbortedError */
  runId: string;
  reader: PageReader;
  sink: PageSink;
  /** pages fetched at once */
  concurrency: number;
  /** user abort: finish the current page, save, stop */
  signal?: AbortSignal;
  counters: RunCounters;
}
