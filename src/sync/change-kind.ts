// What a written row's change is, for the change feed: decided from the stored state read
// before the write (the same read that decides "unchanged") and the row about to be written.
import type { ItemRow } from "../store/rows.ts";
import type { ItemChangeKind, StoredState } from "../store/sync-store.ts";

/** `stored` undefined: first seen. Only called for rows that are written (changed). */
export function changeKind(stored: StoredState | undefined, row: ItemRow): ItemChangeKind {
  // first seen with every news item already deleted: its news is a deletion, not a publication
  if (!stored) return row.isDeleted ? "deleted" : "created";
  if (stored.isDeleted && !row.isDeleted) return "restored";
  if (!stored.isDeleted && row.isDeleted) return "deleted";
  return "updated";
}
