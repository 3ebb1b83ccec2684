// Processor of "media-sync": release the pending slot, then run one media pass of the
// account. Download failures are recorded on their assets, so the job fails only when
// the database does (BullMQ retries it).
import type { MediaMirror, MediaPassResult } from "../../src/media/mirror.ts";
import type { JobPayload } from "../catalog.ts";
import type { JobContext } from "../dispatch.ts";

export async function processMediaSync(mirror: MediaMirror, data: JobPayload<"media-sync">, { job, signal }: JobContext): Promise<Omit<MediaPassResult, "status"> & { stored: number; pending: number }> {
  await job.removeDeduplicationKey();
  const { status, ...r } = await mirror.pass({ appIds: data.appId ? [data.appId] : undefined, signal });
  return { ...r, stored: status.states.stored.count, pending: status.states.pending.count };
}
