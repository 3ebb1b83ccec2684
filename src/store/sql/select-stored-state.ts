// The stored hash and deletion flag of the given keys: what decides "unchanged" before
// anything is written, so unchanged rows cost one read and no write. It is also the one
// source of the inserted/updated/unchanged counts (the upserts return none).
// One index probe per key (a LATERAL with LIMIT is never turned into a join): with
// `key = ANY(...)` the planner scanned the account's whole list on tables not yet analyzed
// (a new store's first full walk), once per page: quadratic in the list's size.
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
          `SELECT t.article_id AS k, t.content_hash AS h, t.is_deleted AS d, t.seen_run_id AS r
             FROM unnest($2::text[]) AS u(k)
             CROSS JOIN LATERAL (SELECT * FROM published_articles p WHERE p.account_id = $1 AND p.article_id = u.k LIMIT 1) t`,
          accountId,
          keys,
        )
      : await tx.$queryRawUnsafe<{ k: string; h: string | null; d: boolean; r: bigint | null }[]>(
          `SELECT t.media_id AS k, t.content_hash AS h, t.is_deleted AS d, t.seen_run_id AS r
             FROM unnest($2::text[]) AS u(k)
             CROSS JOIN LATERAL (SELECT * FROM materials m WHERE m.account_id = $1 AND m.media_id = u.k LIMIT 1) t`,
          accountId,
          keys,
        );
  return new Map(rows.map((r) => [r.k, { contentHash: r.h, isDeleted: r.d, seenRunId: r.r }]));
}
