// The display columns (content_html, thumb_mirror_url, mirror_url): rows whose columns
// were made from other content or other render inputs (the public base, the display HTML
// version), or whose assets changed since, and their write. The assets a batch reads are share-locked until it commits, so an
// asset stored meanwhile invalidates the rows after they are written, never before.
import type { Tx } from "./tx.ts";
import { MEDIA_OWNERS, ownerColumns, ownerFilter, toOwnerRow, type MediaOwnerKind, type MediaOwnerRow, type RawOwnerRow } from "./media-owners.ts";

/** What the display columns of a row were made from. */
export const renderKey = (contentHash: string, renderInputs: string): string => `${contentHash}|${renderInputs}`;

export async function selectUnrendered(
  tx: Tx,
  kind: MediaOwnerKind,
  o: { accountIds: number[] | null; renderInputs: string; scanInputs: string; afterId: bigint; limit: number },
): Promise<MediaOwnerRow[]> {
  const { table } = MEDIA_OWNERS[kind];
  // only rows whose references are recorded for this content: a row the sync wrote after this
  // pass's discover phase waits for the next pass, so its display columns never miss an asset
  const rows = await tx.$queryRawUnsafe<RawOwnerRow[]>(
    `SELECT ${ownerColumns(kind)} FROM ${table}
      WHERE id > $1 AND content_hash IS NOT NULL AND media_render_key IS DISTINCT FROM content_hash || '|' || $3 AND ${ownerFilter(kind)}
        AND media_scan_hash = content_hash || '|' || $5
        AND ($4::int[] IS NULL OR account_id = ANY($4::int[]))
      ORDER BY id LIMIT $2`,
    o.afterId,
    o.limit,
    o.renderInputs,
    o.accountIds,
    o.scanInputs,
  );
  return rows.map(toOwnerRow);
}

/** Storage keys of the stored assets among `urls`, share-locking every asset row named (any state). */
export async function lockMirrorKeys(tx: Tx, urls: string[]): Promise<Map<string, string>> {
  if (urls.length === 0) return new Map();
  const rows = await tx.$queryRawUnsafe<{ source_url: string; state: string; storage_key: string | null }[]>(
    `SELECT source_url, state, storage_key FROM media_assets WHERE source_url = ANY($1::text[]) ORDER BY id FOR SHARE`,
    [...new Set(urls)],
  );
  return new Map(rows.filter((r) => r.state === "stored" && r.storage_key).map((r) => [r.source_url, r.storage_key!]));
}

export interface RenderedRow {
  id: bigint;
  contentHash: string;
  /** content_html (news items) */
  html: string | null;
  /** thumb_mirror_url (news items) or mirror_url (materials) */
  imageMirrorUrl: string | null;
}

export async function writeRendered(tx: Tx, kind: MediaOwnerKind, renderInputs: string, rows: RenderedRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const { table, news } = MEDIA_OWNERS[kind];
  const set = news ? "content_html = u.html, thumb_mirror_url = u.mirror" : "mirror_url = u.mirror";
  // guarded by the hash: a row the sync changed meanwhile is rendered again by the next pass
  return tx.$executeRawUnsafe(
    `UPDATE ${table} t SET ${set}, media_render_key = u.h || '|' || $5
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS u(id, h, html, mirror)
      WHERE t.id = u.id AND t.content_hash = u.h`,
    rows.map((r) => r.id),
    rows.map((r) => r.contentHash),
    rows.map((r) => r.html),
    rows.map((r) => r.imageMirrorUrl),
    renderInputs,
  );
}
