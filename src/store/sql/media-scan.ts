// Recording which media synced rows use: rows whose content or scan inputs (the host
// list, src/media/inputs.ts) changed since their media were last recorded
// (media_scan_hash ≠ "<content_hash>|<inputs>"), and the write of what was found (assets,
// links, scan key) in one transaction.
import type { Tx } from "./tx.ts";
import { MEDIA_OWNERS, ownerColumns, ownerFilter, toOwnerRow, type MediaOwnerKind, type MediaOwnerRow, type RawOwnerRow } from "./media-owners.ts";

export async function selectUnscanned(tx: Tx, kind: MediaOwnerKind, o: { accountIds: number[] | null; scanInputs: string; afterId: bigint; limit: number }): Promise<MediaOwnerRow[]> {
  const { table } = MEDIA_OWNERS[kind];
  const rows = await tx.$queryRawUnsafe<RawOwnerRow[]>(
    `SELECT ${ownerColumns(kind)} FROM ${table}
      WHERE id > $1 AND content_hash IS NOT NULL AND media_scan_hash IS DISTINCT FROM content_hash || '|' || $4 AND ${ownerFilter(kind)}
        AND ($3::int[] IS NULL OR account_id = ANY($3::int[]))
      ORDER BY id LIMIT $2`,
    o.afterId,
    o.limit,
    o.accountIds,
    o.scanInputs,
  );
  return rows.map(toOwnerRow);
}

export interface ScannedLink {
  url: string;
  /** content | thumb | image */
  role: string;
}

export interface ScannedOwner {
  row: MediaOwnerRow;
  links: ScannedLink[];
}

/** Returns how many assets were new. */
export async function recordScan(tx: Tx, kind: MediaOwnerKind, scanInputs: string, scanned: ScannedOwner[]): Promise<number> {
  if (scanned.length === 0) return 0;
  const { table } = MEDIA_OWNERS[kind];
  const urls = [...new Set(scanned.flatMap((s) => s.links.map((l) => l.url)))];
  let created = 0;
  if (urls.length > 0) {
    // sorted: concurrent passes take the unique index's locks in one order
    created = await tx.$executeRawUnsafe(
      `INSERT INTO media_assets (source_url) SELECT u FROM unnest($1::text[]) AS u ORDER BY u ON CONFLICT (source_url) DO NOTHING`,
      urls.sort(),
    );
  }
  // the links of these rows are replaced by what their current content references
  await tx.$executeRawUnsafe(
    `DELETE FROM media_links l USING unnest($2::int[], $3::text[], $4::int[]) AS o(account_id, owner_key, idx)
      WHERE l.owner_kind = $1 AND l.account_id = o.account_id AND l.owner_key = o.owner_key AND l.idx = o.idx`,
    kind,
    scanned.map((s) => s.row.accountId),
    scanned.map((s) => s.row.ownerKey),
    scanned.map((s) => s.row.idx),
  );
  const links = scanned.flatMap((s) => s.links.map((l) => ({ ...l, row: s.row })));
  if (links.length > 0) {
    await tx.$executeRawUnsafe(
      `INSERT INTO media_links (asset_id, account_id, owner_kind, owner_key, idx, role)
       SELECT a.id, u.account_id, $1, u.owner_key, u.idx, u.role
         FROM unnest($2::int[], $3::text[], $4::int[], $5::text[], $6::text[]) AS u(account_id, owner_key, idx, role, url)
         JOIN media_assets a ON a.source_url = u.url
       ON CONFLICT DO NOTHING`,
      kind,
      links.map((l) => l.row.accountId),
      links.map((l) => l.row.ownerKey),
      links.map((l) => l.row.idx),
      links.map((l) => l.role),
      links.map((l) => l.url),
    );
  }
  // guarded by the hash: a row the sync changed meanwhile is scanned again by the next pass
  await tx.$executeRawUnsafe(
    `UPDATE ${table} t SET media_scan_hash = u.h || '|' || $3 FROM unnest($1::bigint[], $2::text[]) AS u(id, h) WHERE t.id = u.id AND t.content_hash = u.h`,
    scanned.map((s) => s.row.id),
    scanned.map((s) => s.row.contentHash),
    scanInputs,
  );
  return created;
}
