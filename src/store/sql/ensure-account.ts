// The accounts row of a configured account (by app_id). Never stores secrets.
import type { Tx } from "./tx.ts";

export async function ensureAccount(tx: Tx, appId: string, name: string | null): Promise<number> {
  const rows = await tx.$queryRawUnsafe<{ id: number }[]>(
    `INSERT INTO accounts AS a (app_id, name) VALUES ($1, $2)
     ON CONFLICT (app_id) DO UPDATE SET name = EXCLUDED.name, updated_at = now()
       WHERE a.name IS DISTINCT FROM EXCLUDED.name
     RETURNING id`,
    appId,
    name,
  );
  if (rows[0]) return rows[0].id;
  const existing = await tx.$queryRawUnsafe<{ id: number }[]>(`SELECT id FROM accounts WHERE app_id = $1`, appId);
  return existing[0]!.id;
}
