// One delivery attempt: load the delivery and its event, sign and POST it, record the
// outcome. A failure that is not the last attempt is thrown (the queue retries it with
// the backoff of backoff.ts); the last one makes the delivery dead.
import type { ChangeFeedStore } from "../store/change-feed-store.ts";
import type { WebhookEndpointConfig } from "../config/change-feed.ts";
import { toChangeEvent } from "../changes/event.ts";
import type { Sender } from "./send.ts";

/** A delivery attempt failed and will be retried. */
export class DeliveryFailedError extends Error {
  override readonly name = "DeliveryFailedError";
  constructor(readonly deliveryId: string, readonly reason: string) {
    super(`webhook delivery ${deliveryId} failed: ${reason}`);
  }
}

/** Not worth retrying: the endpoint left the configuration (no secret to sign with). */
export class EndpointGoneError extends Error {
  override readonly name = "EndpointGoneError";
  constructor(readonly deliveryId: string) {
    super(`webhook delivery ${deliveryId}: its endpoint is no longer configured`);
  }
}

export type DeliveryOutcome = "delivered" | "dead" | "skipped";

export interface DeliverDeps {
  store: ChangeFeedStore;
  sender: Sender;
  endpoints: WebhookEndpointConfig[];
}

/** `final`: this is the last attempt the queue will make. */
export async function deliver(deps: DeliverDeps, ref: { id: bigint; generation: number }, final: boolean): Promise<DeliveryOutcome> {
  const d = await deps.store.delivery(ref.id);
  // pruned, replaced by a replay (a new generation has its own job), or already settled
  if (!d || d.generation !== ref.generation || d.status !== "pending") return "skipped";
  const endpoint = deps.endpoints.find((e) => e.scope === d.scope && e.url === d.url);
  if (!endpoint) {
    await deps.store.recordAttempt(ref, { ok: false, httpStatus: null, error: "endpoint no longer configured", final: true });
    throw new EndpointGoneError(ref.id.toString());
  }
  const event = await deps.store.getChange(d.eventId);
  if (!event) return "skipped";
  const body = JSON.stringify(toChangeEvent(event));
  const r = await deps.sender.send(endpoint.url, endpoint.secret, event.id.toString(), body);
  await deps.store.recordAttempt(ref, { ok: r.ok, httpStatus: r.httpStatus, error: r.error, final });
  if (r.ok) return "delivered";
  if (final) return "dead";
  throw new DeliveryFailedError(ref.id.toString(), r.error ?? "failed");
}
