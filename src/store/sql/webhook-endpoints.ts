// webhook_endpoints: the configured endpoints (scope, url; the secret stays in the
// configuration) and, per endpoint, how far deliveries were created (`cursor`).
import type { Tx } from "./tx.ts";

export interface EndpointRow {
  id: number;
  scope: string;
  url: string;
  cursor: bigint;
}

/**
 * Rows of these endpoints, creating the missing ones. A new endpoint starts at the newest
 * event: it receives what happens from now on (older events: replay).
 */
export async function ensureEndpoints(tx: Tx, endpoints: { scope: string; url: string }[]): Promise<EndpointRow[]> {
  if (endpoints.length === 0) return [];
  await tx.$executeRawUnsafe(
    `INSERT INTO webhook_endpoints (scope, url, cursor)
     SELECT s, u, (SELECT COALESCE(max(id), 0) FROM content_changes) FROM unnest($1::text[], $2::text[]) AS e(s, u)
     ON CONFLICT (scope, url) DO NOTHING`,
    endpoints.map((e) => e.scope),
    endpoints.map((e) => e.url),
  );
  return tx.$queryRawUnsafe<EndpointRow[]>(
    `SELECT e.id, e.scope, e.url, e.cursor FROM webhook_endpoints e JOIN unnest($1::text[], $2::text[]) AS w(s, u) ON e.scope = w.s AND e.url = w.u ORDER BY e.id`,
    endpoints.map((e) => e.scope),
    endpoints.map((e) => e.url),
  );
}

/**
 * Creates the deliveries of the next `batch` events after the endpoint's cursor (its scope's
 * events only) and moves the cursor past them. Null when another process is dispatching
 * this endpoint right now (its row is locked): it will.
 */
export async function dispatchEndpoint(tx: Tx, endpointId: number, batch: number): Promise<{ more: boolean } | null> {
  const locked = await tx.$queryRawUnsafe<{ scope: string; cursor: bigint }[]>(
    `SELECT scope, cursor FROM webhook_endpoints WHERE id = $1 FOR UPDATE SKIP LOCKED`,
    endpointId,
  );
  const ep = locked[0];
  if (!ep) return null;
  const events = await tx.$queryRawUnsafe<{ id: bigint }[]>(
    `SELECT c.id FROM content_changes c
      WHERE c.id > $1 AND ($2 = '*' OR c.account_id = (SELECT id FROM accounts WHERE app_id = $2))
      ORDER BY c.id LIMIT $3`,
    ep.cursor,
    ep.scope,
    batch + 1,
  );
  const take = events.slice(0, batch);
  if (take.length === 0) return { more: false };
  // the relay queues whatever is pending without a job (unqueuedDeliveries), so nothing is returned
  await tx.$executeRawUnsafe(
    `INSERT INTO webhook_deliveries (endpoint_id, event_id) SELECT $1, e FROM unnest($2::bigint[]) AS e
     ON CONFLICT (endpoint_id, event_id) DO NOTHING`,
    endpointId,
    take.map((e) => e.id),
  );
  await tx.$executeRawUnsafe(`UPDATE webhook_endpoints SET cursor = $2 WHERE id = $1`, endpointId, take[take.length - 1]!.id);
  return { more: events.length > batch };
}

/** Every endpoint row with its scope and url (status, replay by URL). */
export function listEndpoints(tx: Tx): Promise<EndpointRow[]> {
  return tx.$queryRawUnsafe<EndpointRow[]>(`SELECT id, scope, url, cursor FROM webhook_endpoints ORDER BY id`);
}
