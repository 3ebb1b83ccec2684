// A full walk's seen keys, written with the page that saw them (crash-safe absence marking).
import type { Tx } from "./tx.ts";

export async function recordSeenKeys(tx: Tx, walkId: bigint, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO sync_seen_keys (walk_id, item_key) SELECT $1, k FROM unnest($2::text[]) AS k ON CONFLICT DO NOTHING`,
    walkId,
    keys,
  );
}

export async function deleteSeenKeys(tx: Tx, walkId: bigint): Promise<void> {
  await tx.$executeRawUnsafe(`DELETE FROM sync_seen_keys WHERE walk_id = $1`, walkId);
}
