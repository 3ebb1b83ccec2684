// media_assets: claiming work (replicas share it through leases and SKIP LOCKED), and
// recording each download's outcome.
import type { Tx } from "./tx.ts";
import { MEDIA_OWNERS, MEDIA_OWNER_KINDS } from "./media-owners.ts";

export interface ClaimedAsset {
  id: bigint;
  sourceUrl: string;
  /** passes that tried it, this one included */
  attempts: number;
}

/**
 * Claims up to `limit` assets due for a download: pending ones, and failed ones whose
 * retry time has come, that no other pass holds, each at most once per pass (`passStart`).
 */
export async function claimAssets(tx: Tx, o: { accountIds: number[] | null; limit: number; leaseMs: number; passStart: Date }): Promise<ClaimedAsset[]> {
  const rows = await tx.$queryRawUnsafe<{ id: bigint; source_url: string; attempts: number }[]>(
    `UPDATE media_assets a SET lease_until = now() + $2 * interval '1 millisecond', last_attempt_at = now(), attempts = a.attempts + 1
      WHERE a.id IN (
        SELECT m.id FROM media_assets m
         WHERE (m.state = 'pending' OR (m.state = 'failed' AND m.next_attempt_at <= now()))
           AND (m.lease_until IS NULL OR m.lease_until < now())
           AND (m.last_attempt_at IS NULL OR m.last_attempt_at < $3)
           AND ($4::int[] IS NULL OR EXISTS (SELECT 1 FROM media_links l WHERE l.asset_id = m.id AND l.account_id = ANY($4::int[])))
         ORDER BY m.id LIMIT $1
         FOR UPDATE SKIP LOCKED)
      RETURNING a.id, a.source_url, a.attempts`,
    o.limit,
    o.leaseMs,
    o.passStart,
    o.accountIds,
  );
  return rows.map((r) => ({ id: r.id, sourceUrl: r.source_url, attempts: Number(r.attempts) }));
}

/** Gives back claims a stopped pass did not get to (they do not count as attempts). */
export async function releaseClaims(tx: Tx, ids: bigint[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.$executeRawUnsafe(
    `UPDATE media_assets SET lease_until = NULL, attempts = greatest(attempts - 1, 0), last_attempt_at = NULL
      WHERE id = ANY($1::bigint[]) AND state IN ('pending', 'failed')`,
    ids,
  );
}

/** The key of bytes already stored under another URL (identical bytes are stored once). */
export async function storedKeyOfHash(tx: Tx, contentHash: string): Promise<string | null> {
  const rows = await tx.$queryRawUnsafe<{ storage_key: string }[]>(
    `SELECT storage_key FROM media_assets WHERE content_hash = $1 AND state = 'stored' AND storage_key IS NOT NULL LIMIT 1`,
    contentHash,
  );
  return rows[0]?.storage_key ?? null;
}

export interface StoredAsset {
  contentType: string;
  bytes: number;
  contentHash: string;
  storageKey: string;
}

/**
 * Marks the asset stored and asks for the display columns of every row using it to be made
 * again: one statement (atomic, one round trip per download).
 */
export async function markStored(tx: Tx, id: bigint, s: StoredAsset): Promise<void> {
  const invalidations = MEDIA_OWNER_KINDS.map((kind) => {
    const { table, key, news } = MEDIA_OWNERS[kind];
    return `${kind} AS (UPDATE ${table} t SET media_render_key = NULL FROM media_links l
        WHERE l.asset_id = $1 AND l.owner_kind = '${kind}' AND t.account_id = l.account_id AND t.${key} = l.owner_key
          ${news ? "AND t.idx = l.idx" : ""} AND t.media_render_key IS NOT NULL RETURNING 1)`;
  });
  await tx.$executeRawUnsafe(
    `WITH stored AS (UPDATE media_assets SET state = 'stored', content_type = $2, bytes = $3, content_hash = $4, storage_key = $5,
            stored_at = now(), last_error = NULL, next_attempt_at = NULL, lease_until = NULL
      WHERE id = $1 RETURNING 1),
     ${invalidations.join(",\n     ")}
     SELECT 1`,
    id,
    s.contentType,
    s.bytes,
    s.contentHash,
    s.storageKey,
  );
}

/** failed: `nextAttemptAt` null means no later pass tries again; gone: never again. */
export async function markUnstored(tx: Tx, id: bigint, state: "failed" | "gone", error: string, nextAttemptAt: Date | null): Promise<void> {
  await tx.$executeRawUnsafe(
    `UPDATE media_assets SET state = $2, last_error = $3, next_attempt_at = $4, lease_until = NULL WHERE id = $1`,
    id,
    state,
    error.slice(0, 500),
    nextAttemptAt,
  );
}

/** Storage keys of the stored assets among `urls`. */
export async function selectMirrorKeys(tx: Tx, urls: string[]): Promise<Map<string, string>> {
  const assets = await selectMirroredAssets(tx, urls);
  return new Map([...assets].map(([url, a]) => [url, a.storageKey]));
}

/** A stored asset as a feed's enclosure names it. */
export interface MirroredAsset {
  storageKey: string;
  contentType: string | null;
  bytes: number | null;
}

/** The stored assets among `urls`, with their type and size (feed enclosures). */
export async function selectMirroredAssets(tx: Tx, urls: string[]): Promise<Map<string, MirroredAsset>> {
  if (urls.length === 0) return new Map();
  const rows = await tx.$queryRawUnsafe<{ source_url: string; storage_key: string; content_type: string | null; bytes: number | null }[]>(
    `SELECT source_url, storage_key, content_type, bytes FROM media_assets WHERE source_url = ANY($1::text[]) AND state = 'stored' AND storage_key IS NOT NULL`,
    [...new Set(urls)],
  );
  return new Map(rows.map((r) => [r.source_url, { storageKey: r.storage_key, contentType: r.content_type, bytes: r.bytes }]));
}

export async function selectAccountIds(tx: Tx, appIds: string[]): Promise<Map<string, number>> {
  const rows = await tx.$queryRawUnsafe<{ id: number; app_id: string }[]>(`SELECT id, app_id FROM accounts WHERE app_id = ANY($1::text[])`, appIds);
  return new Map(rows.map((r) => [r.app_id, r.id]));
}

/**
 * Leaves claimed assets for a later pass without counting the attempt (their host is down
 * for this pass): state and next attempt unchanged; last_attempt_at stays this pass's, so
 * this pass does not claim them again, and the next pass does.
 */
export async function deferClaims(tx: Tx, ids: bigint[], error: string | null): Promise<void> {
  if (ids.length === 0) return;
  await tx.$executeRawUnsafe(
    `UPDATE media_assets SET lease_until = NULL, attempts = greatest(attempts - 1, 0), last_error = coalesce($2, last_error)
      WHERE id = ANY($1::bigint[]) AND state IN ('pending', 'failed')`,
    ids,
    error?.slice(0, 500) ?? null,
  );
}
