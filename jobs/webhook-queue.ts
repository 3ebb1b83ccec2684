// The webhook delivery queue, and src/webhooks' DeliveryQueue over it: one job per
// delivery generation, named by it, so adding the same delivery twice adds one job.
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { DeliveryQueue } from "../src/webhooks/dispatch.ts";
import type { DeliveryRef } from "../src/store/change-feed-store.ts";
import { JOB_OPTIONS, parsePayload, RETENTION, WEBHOOK_QUEUE_NAME } from "./catalog.ts";

export type WebhookQueue = Queue;

export function createWebhookQueue(connection: Redis, prefix: string): WebhookQueue {
  return new Queue(WEBHOOK_QUEUE_NAME, { connection, prefix, defaultJobOptions: { ...RETENTION } });
}

export const deliveryJobId = (ref: DeliveryRef): string => `wh-${ref.id}-${ref.generation}`;

export function deliveryQueueOf(queue: WebhookQueue, attempts: number = JOB_OPTIONS["webhook-delivery"].attempts): DeliveryQueue {
  return {
    async add(refs) {
      await queue.addBulk(
        refs.map((ref) => ({
          name: "webhook-delivery",
          data: parsePayload("webhook-delivery", { deliveryId: ref.id.toString(), generation: ref.generation }),
          opts: { ...JOB_OPTIONS["webhook-delivery"], attempts, jobId: deliveryJobId(ref) },
        })),
      );
    },
  };
}
