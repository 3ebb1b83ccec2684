// webhook_deliveries: one event to one endpoint. The queue job of a delivery is named by
// (id, generation); a replay bumps the generation, so a replayed delivery is a new job and
// a stale job of an earlier generation does nothing.
import type { Tx } from "./tx.ts";

export interface DeliveryRef {
  id: bigint;
  generation: number;
}

export interface DeliveryRow extends DeliveryRef {
  status: string;
  attempts: number;
  endpointId: number;
  scope: string;
  url: string;
  eventId: bigint;
}

/** Pending deliveries whose queue job was never added, or not for an hour (Redis lost it?): adding again is idempotent. */
export function unqueuedDeliveries(tx: Tx, limit: number): Promise<DeliveryRef[]> {
  return tx.$queryRawUnsafe<DeliveryRef[]>(
    `SELECT id, generation FROM webhook_deliveries
      WHERE status = 'pending' AND (enqueued_at IS NULL OR enqueued_at < now() - interval '1 hour')
      ORDER BY id LIMIT $1`,
    limit,
  );
}

export async function markEnqueued(tx: Tx, ids: bigint[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.$executeRawUnsafe(`UPDATE webhook_deliveries SET enqueued_at = now() WHERE id = ANY($1::bigint[])`, ids);
}

export async function getDelivery(tx: Tx, id: bigint): Promise<DeliveryRow | null> {
  const rows = await tx.$queryRawUnsafe<{ id: bigint; generation: number; status: string; attempts: number; endpoint_id: number; scope: string; url: string; event_id: bigint }[]>(
    `SELECT d.id, d.generation, d.status, d.attempts, d.endpoint_id, e.scope, e.url, d.event_id
       FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1`,
    id,
  );
  const r = rows[0];
  return r ? { id: r.id, generation: r.generation, status: r.status, attempts: r.attempts, endpointId: r.endpoint_id, scope: r.scope, url: r.url, eventId: r.event_id } : null;
}

export interface AttemptOutcome {
  ok: boolean;
  /** HTTP status, null when no response came (timeout, connection error) */
  httpStatus: number | null;
  error: string | null;
  /** the last attempt: a failure makes the delivery dead */
  final: boolean;
}

/** Records one attempt of this generation; false when a replay replaced it meanwhile. */
export async function recordAttempt(tx: Tx, ref: DeliveryRef, o: AttemptOutcome): Promise<boolean> {
  const status = o.ok ? "delivered" : o.final ? "dead" : "pending";
  const n = await tx.$executeRawUnsafe(
    `UPDATE webhook_deliveries SET attempts = attempts + 1, status = $3, last_status = $4, last_error = $5, last_attempt_at = now(),
            delivered_at = CASE WHEN $3 = 'delivered' THEN now() ELSE delivered_at END
      WHERE id = $1 AND generation = $2 AND status = 'pending'`,
    ref.id,
    ref.generation,
    status,
    o.httpStatus,
    o.error,
  );
  return n > 0;
}

/**
 * Replay: every event of the endpoint's scope with after < id ≤ its cursor is delivered
 * again (a new generation, attempts from zero), whatever its delivery's state; events
 * past the cursor are the dispatcher's. Returns how many deliveries were (re)queued.
 */
export async function replayDeliveries(tx: Tx, endpointId: number, after: bigint): Promise<number> {
  return tx.$executeRawUnsafe(
    `INSERT INTO webhook_deliveries (endpoint_id, event_id)
     SELECT e.id, c.id FROM webhook_endpoints e
       JOIN content_changes c ON c.id > $2 AND c.id <= e.cursor
        AND (e.scope = '*' OR c.account_id = (SELECT id FROM accounts WHERE app_id = e.scope))
      WHERE e.id = $1
     ON CONFLICT (endpoint_id, event_id) DO UPDATE SET
       status = 'pending', attempts = 0, generation = webhook_deliveries.generation + 1, enqueued_at = NULL,
       last_status = NULL, last_error = NULL, last_attempt_at = NULL, delivered_at = NULL`,
    endpointId,
    after,
  );
}

export interface EndpointDeliveryStats {
  endpointId: number;
  scope: string;
  url: string;
  cursor: bigint;
  pending: number;
  delivered: number;
  dead: number;
  oldestPendingEventId: bigint | null;
  lastAttemptAt: Date | null;
  lastError: string | null;
}

export async function deliveryStats(tx: Tx): Promise<EndpointDeliveryStats[]> {
  const rows = await tx.$queryRawUnsafe<
    { id: number; scope: string; url: string; cursor: bigint; pending: number; delivered: number; dead: number; oldest: bigint | null; last_at: Date | null; last_error: string | null }[]
  >(
    `SELECT e.id, e.scope, e.url, e.cursor,
            count(*) FILTER (WHERE d.status = 'pending')::int AS pending,
            count(*) FILTER (WHERE d.status = 'delivered')::int AS delivered,
            count(*) FILTER (WHERE d.status = 'dead')::int AS dead,
            min(d.event_id) FILTER (WHERE d.status = 'pending') AS oldest,
            max(d.last_attempt_at) AS last_at,
            (SELECT d2.last_error FROM webhook_deliveries d2 WHERE d2.endpoint_id = e.id AND d2.last_error IS NOT NULL ORDER BY d2.last_attempt_at DESC NULLS LAST LIMIT 1) AS last_error
       FROM webhook_endpoints e LEFT JOIN webhook_deliveries d ON d.endpoint_id = e.id
      GROUP BY e.id ORDER BY e.id`,
  );
  return rows.map((r) => ({
    endpointId: r.id,
    scope: r.scope,
    url: r.url,
    cursor: r.cursor,
    pending: r.pending,
    delivered: r.delivered,
    dead: r.dead,
    oldestPendingEventId: r.oldest,
    lastAttemptAt: r.last_at,
    lastError: r.last_error,
  }));
}

export interface DeadDelivery {
  endpointId: number;
  eventId: bigint;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
}

export async function deadDeliveries(tx: Tx, limit: number): Promise<DeadDelivery[]> {
  const rows = await tx.$queryRawUnsafe<{ endpoint_id: number; event_id: bigint; attempts: number; last_status: number | null; last_error: string | null; last_attempt_at: Date | null }[]>(
    `SELECT endpoint_id, event_id, attempts, last_status, last_error, last_attempt_at FROM webhook_deliveries
      WHERE status = 'dead' ORDER BY event_id DESC LIMIT $1`,
    limit,
  );
  return rows.map((r) => ({ endpointId: r.endpoint_id, eventId: r.event_id, attempts: r.attempts, lastStatus: r.last_status, lastError: r.last_error, lastAttemptAt: r.last_attempt_at }));
}
