// The resume point of a run, saved with the page it covers: a full walk's in its page row
// (sync_walk_pages, copied to sync_runs.checkpoint when the run ends), an incremental
// run's in sync_runs.checkpoint.
import { z } from "zod";

const scanSchema = z.object({
  /** end of the contiguous written prefix: pages below it are committed */
  nextOffset: z.number().int().nonnegative(),
  /** total_count of the first page-0 response (null before it) */
  t0: z.number().int().nonnegative().nullable(),
  /** key of the first item of that response */
  headKey: z.string().nullable(),
  /** total_count of the last written page, in offset order */
  prevTotal: z.number().int().nonnegative().nullable(),
  maxTotal: z.number().int().nonnegative(),
  /** some page reported a smaller total than the page before it */
  shrink: z.boolean(),
  /** pages were in flight together, so they may have been served out of offset order */
  overlapped: z.boolean(),
});

const sequentialSchema = z.object({
  nextOffset: z.number().int().nonnegative(),
  lastTotal: z.number().int().nonnegative().nullable(),
  rewinds: z.number().int().nonnegative(),
  /** shrinks seen after the rewind budget was spent (items may have been skipped) */
  unrepaired: z.number().int().nonnegative().default(0),
  requests: z.number().int().nonnegative(),
});

export const fullCheckpointSchema = z.object({
  /** 2: the walk's keys are in sync_walk_pages (a v1 walk's went with sync_seen_keys: it restarts) */
  v: z.literal(2),
  mode: z.literal("full"),
  /** sync_runs.id of the run that started this walk; its page rows carry it */
  walkId: z.string(),
  phase: z.enum(["scan", "verify", "repair", "done"]),
  scan: scanSchema,
  repair: sequentialSchema.nullable(),
  /** set when phase is done */
  consistent: z.boolean().nullable(),
  note: z.string().nullable(),
});

export const incrementalCheckpointSchema = z.object({
  v: z.literal(1),
  mode: z.literal("incremental"),
  /** ids of the runs of this walk: rows they wrote are not "stored before the walk" */
  runIds: z.array(z.string()),
  walk: sequentialSchema,
});

export type ScanState = z.infer<typeof scanSchema>;
export type SequentialState = z.infer<typeof sequentialSchema>;
export type FullCheckpoint = z.infer<typeof fullCheckpointSchema>;
export type IncrementalCheckpoint = z.infer<typeof incrementalCheckpointSchema>;

export function newFullCheckpoint(walkId: bigint): FullCheckpoint {
  return {
    v: 2,
    mode: "full",
    walkId: walkId.toString(),
    phase: "scan",
    scan: { nextOffset: 0, t0: null, headKey: null, prevTotal: null, maxTotal: 0, shrink: false, overlapped: false },
    repair: null,
    consistent: null,
    note: null,
  };
}

export function newSequentialState(): SequentialState {
  return { nextOffset: 0, lastTotal: null, rewinds: 0, unrepaired: 0, requests: 0 };
}

/** A checkpoint that does not parse (older format, hand-edited) is ignored: the walk restarts. */
export function parseFull(raw: unknown): FullCheckpoint | null {
  const r = fullCheckpointSchema.safeParse(raw);
  return r.success ? r.data : null;
}

export function parseIncremental(raw: unknown): IncrementalCheckpoint | null {
  const r = incrementalCheckpointSchema.safeParse(raw);
  return r.success ? r.data : null;
}
