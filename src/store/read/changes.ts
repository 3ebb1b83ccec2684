// content_changes for readers (GET /v1/changes, webhook delivery): in id order, which is
// commit order (src/store/sql/content-changes.ts), keyset-paginated by id.
import type { Tx } from "../sql/tx.ts";

export interface ChangeRecord {
  id: bigint;
  type: string;
  appId: string;
  itemKey: string;
  data: unknown;
  createdAt: Date;
}

export interface ChangeFilter {
  /** events with a larger id */
  after: bigint;
  limit: number;
  /** only this account's events */
  appId?: string;
}

interface Row {
  id: bigint;
  type: string;
  app_id: string;
  item_key: string;
  data: unknown;
  created_at: Date;
}

const toRecord = (r: Row): ChangeRecord => ({ id: r.id, type: r.type, appId: r.app_id, itemKey: r.item_key, data: r.data, createdAt: r.created_at });

export async function listChanges(tx: Tx, f: ChangeFilter): Promise<ChangeRecord[]> {
  const rows = await tx.$queryRawUnsafe<Row[]>(
    `SELECT c.id, c.type, a.app_id, c.item_key, c.data, c.created_at
       FROM content_changes c JOIN accounts a ON a.id = c.account_id
      WHERE c.id > $1 AND ($2::text IS NULL OR a.app_id = $2)
      ORDER BY c.id LIMIT $3`,
    f.after,
    f.appId ?? null,
    f.limit,
  );
  return rows.map(toRecord);
}

export async function getChange(tx: Tx, id: bigint): Promise<ChangeRecord | null> {
  const rows = await tx.$queryRawUnsafe<Row[]>(
    `SELECT c.id, c.type, a.app_id, c.item_key, c.data, c.created_at FROM content_changes c JOIN accounts a ON a.id = c.account_id WHERE c.id = $1`,
    id,
  );
  return rows[0] ? toRecord(rows[0]) : null;
}
