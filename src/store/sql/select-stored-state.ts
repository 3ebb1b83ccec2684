// The stored hash and deletion flag of the given keys: what decides "unchanged" before
// anything is written, so unchanged rows cost one read and no write. It is also the one
// source of the inserted/updated/unchanged counts (the upserts return none).
import type { StoreSource } from "../rows.ts";
import type { Tx } from "./tx.ts";

export interface StoredState {
  contentHash: string | null;
  isDeleted: boolean;
  /** the run that last wrote the row */
  seenRunId: bigint | null;
}

export async function selectStoredState(tx: Tx, accountId: number, source: StoreSource, keys: string[]): Promise<Map<string, StoredState>> {
  const rows =
    source.kind === "published"
      ? await tx.$queryRawUnsafe<{ k: string; h: string | null; d: boolean; r: bigint | null }[]>(
          `SELECT article_id AS k, content_hash AS h, is_deleted AS d, seen_run_id AS r
             FROM published_articles WHERE account_id = $1 AND article_id = ANY($2::text[])`,
          accountId,
          keys,
        )
      : await tx.$queryRawUnsafe<{ k: string; h: string | null; d: boolean; r: bigint | null }[]>(
          `SELECT media_id AS k, content_hash AS h, is_deleted AS d, seen_run_id AS r
             FROM materials WHERE account_id = $1 AND media_id = ANY($2::text[])`,
          accountId,
          keys,
        );
  return new Map(rows.map((r) => [r.k, { contentHash: r.h, isDeleted: r.d, seenRunId: r.r }]));
}
