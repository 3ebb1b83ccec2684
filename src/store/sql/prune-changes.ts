// Retention of the change feed: change events and delivery records older than the
// retention are removed, in bounded batches; a delivery still pending keeps its event.
import type { Tx } from "./tx.ts";

const BATCH = 5_000;

export async function pruneChanges(tx: Tx, olderThanDays: number): Promise<{ events: number; deliveries: number }> {
  let deliveries = 0;
  let events = 0;
  for (;;) {
    const n = await tx.$executeRawUnsafe(
      `DELETE FROM webhook_deliveries WHERE id IN (
         SELECT id FROM webhook_deliveries WHERE status <> 'pending' AND created_at < now() - make_interval(days => $1::int) LIMIT $2)`,
      olderThanDays,
      BATCH,
    );
    deliveries += n;
    if (n < BATCH) break;
  }
  for (;;) {
    const n = await tx.$executeRawUnsafe(
      `DELETE FROM content_changes WHERE id IN (
         SELECT c.id FROM content_changes c WHERE c.created_at < now() - make_interval(days => $1::int)
            AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = c.id AND d.status = 'pending')
          LIMIT $2)`,
      olderThanDays,
      BATCH,
    );
    events += n;
    if (n < BATCH) break;
  }
  return { events, deliveries };
}
