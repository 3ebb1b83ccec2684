// Bulk upsert of materials; unchanged rows (same hash, same deletion flag) are not touched.
// Inserted/updated counts come from the pre-read alone (select-stored-state.ts).
import type { MaterialRow } from "../rows.ts";
import type { Tx } from "./tx.ts";

export async function upsertMaterials(tx: Tx, accountId: number, runId: bigint, rows: MaterialRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO materials AS t
       (account_id, media_id, type, name, url, create_time, update_time, is_deleted, deleted_at, content_hash, seen_run_id, first_seen_at, last_seen_at)
     SELECT $1, u.k, u.ty, u.n, u.url, u.ct, u.ut, u.d, CASE WHEN u.d THEN now() END, u.h, $2, now(), now()
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[], $9::bool[], $10::text[])
            AS u(k, ty, n, url, ct, ut, d, h)
     ON CONFLICT (account_id, media_id) DO UPDATE SET
       type = EXCLUDED.type,
       name = EXCLUDED.name,
       url = EXCLUDED.url,
       create_time = COALESCE(EXCLUDED.create_time, t.create_time),
       update_time = EXCLUDED.update_time,
       is_deleted = EXCLUDED.is_deleted,
       deleted_at = CASE WHEN EXCLUDED.is_deleted THEN COALESCE(t.deleted_at, now()) END,
       content_hash = EXCLUDED.content_hash,
       seen_run_id = EXCLUDED.seen_run_id,
       last_seen_at = now()
     WHERE t.content_hash IS DISTINCT FROM EXCLUDED.content_hash OR t.is_deleted IS DISTINCT FROM EXCLUDED.is_deleted`,
    accountId,
    runId,
    rows.map((r) => r.mediaId),
    rows.map((r) => r.type),
    rows.map((r) => r.name),
    rows.map((r) => r.url),
    rows.map((r) => r.createTime),
    rows.map((r) => r.updateTime),
    rows.map((r) => r.isDeleted),
    rows.map((r) => r.contentHash),
  );
}
