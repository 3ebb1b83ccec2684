// The mirror's counts in words, the same on every surface (`mpsync media status`, the run
// summary of `sync --inline` and `media sync`, the console; /metrics names them alike):
// URLs (distinct media URLs, by state), objects (distinct stored files and their bytes),
// references (places in synced rows that use a URL). See README "Counts".
import { megabytes } from "../format/megabytes.ts";
import type { MediaStatusRow } from "../store/media-store.ts";

/** Every distinct media URL content references, whatever its state. */
export function urlCount(s: MediaStatusRow): number {
  const st = s.states;
  return st.stored.count + st.pending.count + st.failed.count + st.gone.count;
}

/** "120 URLs (100 stored, 15 pending, 3 failed, 2 gone)" */
export function formatUrls(s: MediaStatusRow, o: { retrying?: boolean } = {}): string {
  const st = s.states;
  const failed = o.retrying ? `${st.failed.count} failed (${s.retrying} to be retried)` : `${st.failed.count} failed`;
  return `${urlCount(s)} URLs (${st.stored.count} stored, ${st.pending.count} pending, ${failed}, ${st.gone.count} gone)`;
}

/** "80 objects (12.3 MB)" */
export function formatObjects(s: MediaStatusRow): string {
  return `${s.objects.count} objects (${megabytes(s.objects.bytes)})`;
}

/** "340 references" */
export function formatReferences(s: MediaStatusRow): string {
  return `${s.references} references`;
}

/** The three counts on one line. */
export function formatMediaCounts(s: MediaStatusRow): string {
  return `${formatUrls(s)}, ${formatObjects(s)}, ${formatReferences(s)}`;
}
