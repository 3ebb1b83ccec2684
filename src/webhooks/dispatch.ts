// The outbox relay: turns committed change events into deliveries, per endpoint from its
// cursor, and hands them to the delivery queue. Because event ids are in commit order, a
// cursor never skips an event; because deliveries are rows first and queue jobs second
// (named by delivery id and generation, so adding twice is harmless), a crash anywhere in
// between loses nothing: the next tick adds what is missing.
import type { WebhookEndpointConfig } from "../config/change-feed.ts";
import type { ChangeFeedStore, DeliveryRef, EndpointRow } from "../store/change-feed-store.ts";

/** Where deliveries go to be sent: jobs/ implements it with a BullMQ queue. */
export interface DeliveryQueue {
  add(deliveries: DeliveryRef[]): Promise<void>;
}

export interface Dispatcher {
  /** one pass: new events → deliveries → queue; returns how many deliveries were queued */
  tick(): Promise<number>;
}

const BATCH = 500;

export function createDispatcher(store: ChangeFeedStore, queue: DeliveryQueue, endpoints: WebhookEndpointConfig[]): Dispatcher {
  let rows: Promise<EndpointRow[]> | undefined;
  const endpointRows = (): Promise<EndpointRow[]> => {
    rows ??= configuredEndpointRows(store, endpoints);
    rows.catch(() => (rows = undefined));
    return rows;
  };
  return {
    async tick() {
      for (const ep of await endpointRows()) {
        for (;;) {
          const r = await store.dispatch(ep.id, BATCH);
          if (!r?.more) break;
        }
      }
      // everything pending without a job: just created, replayed, or left by a crash
      let queued = 0;
      for (;;) {
        const refs = await store.unqueued(BATCH);
        if (refs.length === 0) break;
        await queue.add(refs);
        await store.markEnqueued(refs.map((r) => r.id));
        queued += refs.length;
        if (refs.length < BATCH) break;
      }
      return queued;
    },
  };
}

/** The endpoint rows of the configured endpoints (status, replay). */
export async function configuredEndpointRows(store: ChangeFeedStore, endpoints: WebhookEndpointConfig[]): Promise<EndpointRow[]> {
  return store.ensureEndpoints(endpoints.map((e) => ({ scope: e.scope, url: e.url })));
}

/** A URL as status output shows it: no query or fragment (they may carry a token). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}${u.search ? "?…" : ""}`;
  } catch {
    return "(invalid URL)";
  }
}
