// The store as the change feed uses it: reading events, webhook endpoints and deliveries,
// retention. A narrow facade over read/changes.ts, read/feed-items.ts and the webhook SQL.
import type { PrismaClient } from "./prisma.ts";
import { getChange, listChanges, type ChangeFilter, type ChangeRecord } from "./read/changes.ts";
import { feedItems, type FeedItemRecord, type FeedRecords } from "./read/feed-items.ts";
import { dispatchEndpoint, ensureEndpoints, listEndpoints, type EndpointRow } from "./sql/webhook-endpoints.ts";
import {
  deadDeliveries,
  deliveryStats,
  getDelivery,
  markEnqueued,
  recordAttempt,
  replayDeliveries,
  unqueuedDeliveries,
  type AttemptOutcome,
  type DeadDelivery,
  type DeliveryRef,
  type DeliveryRow,
  type EndpointDeliveryStats,
} from "./sql/webhook-deliveries.ts";
import { pruneChanges } from "./sql/prune-changes.ts";

export type { AttemptOutcome, ChangeFilter, ChangeRecord, DeadDelivery, DeliveryRef, DeliveryRow, EndpointDeliveryStats, EndpointRow, FeedItemRecord, FeedRecords };

export interface ChangeFeedStore {
  listChanges(f: ChangeFilter): Promise<ChangeRecord[]>;
  getChange(id: bigint): Promise<ChangeRecord | null>;
  feedItems(appId: string, articles: number): Promise<FeedRecords>;
  ensureEndpoints(endpoints: { scope: string; url: string }[]): Promise<EndpointRow[]>;
  listEndpoints(): Promise<EndpointRow[]>;
  /** creates deliveries for the endpoint's next events; null when another process is at it */
  dispatch(endpointId: number, batch: number): Promise<{ more: boolean } | null>;
  unqueued(limit: number): Promise<DeliveryRef[]>;
  markEnqueued(ids: bigint[]): Promise<void>;
  delivery(id: bigint): Promise<DeliveryRow | null>;
  recordAttempt(ref: DeliveryRef, outcome: AttemptOutcome): Promise<boolean>;
  replay(endpointIds: number[], after: bigint): Promise<number>;
  stats(): Promise<EndpointDeliveryStats[]>;
  dead(limit: number): Promise<DeadDelivery[]>;
  prune(olderThanDays: number): Promise<{ events: number; deliveries: number }>;
}

export function createChangeFeedStore(prisma: PrismaClient): ChangeFeedStore {
  return {
    listChanges: (f) => listChanges(prisma, f),
    getChange: (id) => getChange(prisma, id),
    feedItems: (appId, articles) => feedItems(prisma, appId, articles),
    ensureEndpoints: (endpoints) => ensureEndpoints(prisma, endpoints),
    listEndpoints: () => listEndpoints(prisma),
    dispatch: (endpointId, batch) => prisma.$transaction((tx) => dispatchEndpoint(tx, endpointId, batch)),
    unqueued: (limit) => unqueuedDeliveries(prisma, limit),
    markEnqueued: (ids) => markEnqueued(prisma, ids),
    delivery: (id) => getDelivery(prisma, id),
    recordAttempt: (ref, outcome) => recordAttempt(prisma, ref, outcome),
    replay: (endpointIds, after) =>
      prisma.$transaction(async (tx) => {
        let n = 0;
        for (const id of endpointIds) n += await replayDeliveries(tx, id, after);
        return n;
      }),
    stats: () => deliveryStats(prisma),
    dead: (limit) => deadDeliveries(prisma, limit),
    prune: (days) => pruneChanges(prisma, days),
  };
}
