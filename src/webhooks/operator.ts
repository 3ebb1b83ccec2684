// The operator's view of webhook deliveries (mpsync webhooks status|replay, and the admin
// API): per configured endpoint what is pending, delivered and dead, and replaying events
// after a cursor. URLs are shown without their query (it may hold a token); secrets never.
import type { WebhookEndpointConfig } from "../config/change-feed.ts";
import type { ChangeFeedStore } from "../store/change-feed-store.ts";
import { configuredEndpointRows, displayUrl } from "./dispatch.ts";

export interface EndpointStatus {
  url: string;
  /** "*" (every account) or an app_id */
  scope: string;
  /** the last event id deliveries were created for */
  cursor: string;
  pending: number;
  delivered: number;
  dead: number;
  oldest_pending_event_id: string | null;
  last_attempt_at: string | null;
  last_error: string | null;
}

export interface DeadDeliveryStatus {
  url: string;
  event_id: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  last_attempt_at: string | null;
}

export interface WebhookStatus {
  endpoints: EndpointStatus[];
  /** the newest dead deliveries (at most 50) */
  dead: DeadDeliveryStatus[];
}

export async function webhookStatus(store: ChangeFeedStore, endpoints: WebhookEndpointConfig[]): Promise<WebhookStatus> {
  const rows = await configuredEndpointRows(store, endpoints);
  const configured = new Set(rows.map((r) => r.id));
  const stats = (await store.stats()).filter((s) => configured.has(s.endpointId));
  const urlOf = new Map(rows.map((r) => [r.id, displayUrl(r.url)]));
  const dead = (await store.dead(50)).filter((d) => configured.has(d.endpointId));
  return {
    endpoints: stats.map((s) => ({
      url: displayUrl(s.url),
      scope: s.scope,
      cursor: s.cursor.toString(),
      pending: s.pending,
      delivered: s.delivered,
      dead: s.dead,
      oldest_pending_event_id: s.oldestPendingEventId?.toString() ?? null,
      last_attempt_at: s.lastAttemptAt?.toISOString() ?? null,
      last_error: s.lastError,
    })),
    dead: dead.map((d) => ({
      url: urlOf.get(d.endpointId)!,
      event_id: d.eventId.toString(),
      attempts: d.attempts,
      last_status: d.lastStatus,
      last_error: d.lastError,
      last_attempt_at: d.lastAttemptAt?.toISOString() ?? null,
    })),
  };
}

/** No configured endpoint matches the replay's filter. */
export class NoSuchEndpointError extends Error {
  override readonly name = "NoSuchEndpointError";
  constructor(what: string) {
    super(`no configured webhook endpoint ${what}`);
  }
}

export interface ReplayRequest {
  /** events with a larger id are delivered again */
  after: bigint;
  /** only the endpoint with this URL (as configured) */
  url?: string;
  /** only the endpoints of this scope: an app_id, or "*" for WEBHOOK_URL */
  scope?: string;
}

/**
 * Every retained event after the cursor is queued again for the matching endpoints (a new
 * delivery generation, attempts from zero). The worker's relay sends them.
 */
export async function replayWebhooks(store: ChangeFeedStore, endpoints: WebhookEndpointConfig[], r: ReplayRequest): Promise<{ endpoints: number; deliveries: number }> {
  const chosen = endpoints.filter((e) => (r.url === undefined || e.url === r.url) && (r.scope === undefined || e.scope === r.scope));
  if (chosen.length === 0) throw new NoSuchEndpointError(r.url !== undefined ? `with that URL` : r.scope !== undefined ? `for account ${r.scope}` : "(set WEBHOOK_URL or an account's webhooks)");
  const rows = await configuredEndpointRows(store, chosen);
  const deliveries = await store.replay(rows.map((x) => x.id), r.after);
  return { endpoints: rows.length, deliveries };
}
