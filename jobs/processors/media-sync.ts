// Processor of "media-sync": release the pending slot, then run one media pass of the
// account. Download failures are recorded on their assets, so the job fails only when
// the database does (BullMQ retries it).
import type { Job } from "bullmq";
import type { MediaMirror, MediaPassResult } from "../../src/media/mirror.ts";
import { parsePayload } from "../catalog.ts";

export async function processMediaSync(mirror: MediaMirror, job: Job, signal: AbortSignal | undefined): Promise<Omit<MediaPassResult, "status"> & { stored: number; pending: number }> {
  const data = parsePayload("media-sync", job.data);
  await job.removeDeduplicationKey();
  const { status, ...r } = await mirror.pass({ appIds: data.appId ? [data.appId] : undefined, signal });
  return { ...r, stored: status.states.stored.count, pending: status.states.pending.count };
}
