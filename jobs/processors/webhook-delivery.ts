// Processor of "webhook-delivery": one attempt; the last one the job has turns a failure
// into a dead delivery. A gone endpoint is not retried.
import { UnrecoverableError } from "bullmq";
import { deliver, EndpointGoneError, type DeliverDeps, type DeliveryOutcome } from "../../src/webhooks/deliver.ts";
import type { JobPayload } from "../catalog.ts";
import type { JobContext } from "../dispatch.ts";

export async function processWebhookDelivery(deps: DeliverDeps, data: JobPayload<"webhook-delivery">, { job }: JobContext): Promise<DeliveryOutcome> {
  const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  try {
    return await deliver(deps, { id: BigInt(data.deliveryId), generation: data.generation }, final);
  } catch (e) {
    if (e instanceof EndpointGoneError) throw new UnrecoverableError(e.message);
    throw e;
  }
}
