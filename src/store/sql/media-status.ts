// The mirror's counts, in one vocabulary for `mpsync media status`, the console, /metrics
// and run summaries (src/media/counts.ts words them):
// - URLs: distinct media URLs content references (media_assets rows), by state;
// - objects: distinct stored files (identical bytes under several URLs count once), with bytes;
// - references: places in synced rows that use a URL (media_links rows).
import type { Tx } from "./tx.ts";

export interface MediaStateCount {
  count: number;
  bytes: number;
}

export interface MediaStatusRow {
  states: Record<"pending" | "stored" | "failed" | "gone", MediaStateCount>;
  /** failed assets a later pass will try again */
  retrying: number;
  /** distinct stored objects (identical bytes under several URLs count once) and their bytes */
  objects: MediaStateCount;
  /** references: places in synced rows (body, cover, image material) that use one of the URLs */
  references: number;
}

export async function selectMediaStatus(tx: Tx, accountIds: number[] | null): Promise<MediaStatusRow> {
  const scope = `($1::int[] IS NULL OR EXISTS (SELECT 1 FROM media_links l WHERE l.asset_id = a.id AND l.account_id = ANY($1::int[])))`;
  const [byState, objects, references] = await Promise.all([
    tx.$queryRawUnsafe<{ state: string; n: bigint; bytes: bigint | null; retrying: bigint }[]>(
      `SELECT state, count(*) AS n, sum(bytes) AS bytes, count(*) FILTER (WHERE state = 'failed' AND next_attempt_at IS NOT NULL) AS retrying
         FROM media_assets a WHERE ${scope} GROUP BY state`,
      accountIds,
    ),
    tx.$queryRawUnsafe<{ n: bigint; bytes: bigint | null }[]>(
      `SELECT count(*) AS n, sum(bytes) AS bytes FROM (
         SELECT DISTINCT ON (content_hash) bytes FROM media_assets a WHERE state = 'stored' AND ${scope} ORDER BY content_hash) s`,
      accountIds,
    ),
    tx.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM media_links l WHERE $1::int[] IS NULL OR l.account_id = ANY($1::int[])`, accountIds),
  ]);
  const zero = (): MediaStateCount => ({ count: 0, bytes: 0 });
  const states = { pending: zero(), stored: zero(), failed: zero(), gone: zero() };
  let retrying = 0;
  for (const r of byState) {
    if (r.state in states) states[r.state as keyof typeof states] = { count: Number(r.n), bytes: Number(r.bytes ?? 0) };
    retrying += Number(r.retrying);
  }
  return { states, retrying, objects: { count: Number(objects[0]?.n ?? 0), bytes: Number(objects[0]?.bytes ?? 0) }, references: Number(references[0]?.n ?? 0) };
}
