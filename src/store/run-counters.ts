// The counters every sync run keeps, with their sync_runs columns: one list for the
// engine, the run SQL and the reports.
export const RUN_COUNTER_COLUMNS = {
  pages: "pages",
  apiCalls: "api_calls",
  itemsSeen: "items_seen",
  inserted: "inserted",
  updated: "updated",
  unchanged: "unchanged",
  markedDeleted: "marked_deleted",
  /** pages read again only to verify a concurrent full walk (items_seen counts distinct items) */
  verificationReads: "verification_reads",
  /** NUL characters and lone surrogates removed from the text of the rows the run wrote (Postgres cannot store them) */
  removedChars: "removed_chars",
} as const;

export type RunCounterField = keyof typeof RUN_COUNTER_COLUMNS;
export type RunCounters = { [K in RunCounterField]: number };
type CounterColumn = (typeof RUN_COUNTER_COLUMNS)[RunCounterField];

export const RUN_COUNTER_FIELDS = Object.keys(RUN_COUNTER_COLUMNS) as RunCounterField[];

export function zeroCounters(): RunCounters {
  return Object.fromEntries(RUN_COUNTER_FIELDS.map((f) => [f, 0])) as RunCounters;
}

/** The counters under their column names (how reports print them). */
export function countersByColumn(c: RunCounters): Record<CounterColumn, number> {
  return Object.fromEntries(RUN_COUNTER_FIELDS.map((f) => [RUN_COUNTER_COLUMNS[f], c[f]])) as Record<CounterColumn, number>;
}
