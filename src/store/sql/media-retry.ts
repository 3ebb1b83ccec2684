// "Retry failed media" (the console): failed assets become due now, also those whose
// attempts were given up (next_attempt_at NULL); the next media pass downloads them.
import type { Tx } from "./tx.ts";

export async function retryFailedAssets(tx: Tx, accountIds: number[] | null): Promise<number> {
  return tx.$executeRawUnsafe(
    `UPDATE media_assets a SET next_attempt_at = now()
      WHERE state = 'failed'
        AND ($1::int[] IS NULL OR EXISTS (SELECT 1 FROM media_links l WHERE l.asset_id = a.id AND l.account_id = ANY($1::int[])))`,
    accountIds,
  );
}
