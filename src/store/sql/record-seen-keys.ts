// A full walk's seen keys, written with the page that saw them (crash-safe absence marking).
import type { Tx } from "./tx.ts";

/** Returns how many keys were new to the walk (distinct items seen, across its resumed runs). */
export async function recordSeenKeys(tx: Tx, walkId: bigint, keys: string[]): Promise<number> {
  if (keys.length === 0) return 0;
  return tx.$executeRawUnsafe(
    `INSERT INTO sync_seen_keys (walk_id, item_key) SELECT $1, k FROM unnest($2::text[]) AS k ON CONFLICT DO NOTHING`,
    walkId,
    keys,
  );
}

/**
 * Removes the seen keys of every walk of this source: the one that just finished and any
 * older walk abandoned before it finished (its checkpoint is dropped at the same time).
 * A walk's id is the id of the sync_runs row that started it.
 */
export async function deleteSeenKeysOfSource(tx: Tx, accountId: number, source: string): Promise<void> {
  await tx.$executeRawUnsafe(
    `DELETE FROM sync_seen_keys k USING sync_runs r WHERE k.walk_id = r.id AND r.account_id = $1 AND r.source = $2`,
    accountId,
    source,
  );
}
