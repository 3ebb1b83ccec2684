// Asking for a run: at most one pending run per (account, source), however often asked.
// The pending slot is BullMQ's deduplication id; the processor releases it when the run
// starts (processors/sync-run.ts), so one more request may then queue behind the active run.
// A full request that meets a pending incremental upgrades it to full.
import { randomUUID } from "node:crypto";
import type { Enqueued } from "../src/job-queue.ts";
import { JOB_OPTIONS, parsePayload, type SyncRunPayload } from "./catalog.ts";
import { EnqueueContentionError } from "./errors.ts";
import { targetKey, type SyncQueue } from "./queue.ts";

export type { Enqueued };

export async function enqueueSync(queue: SyncQueue, request: SyncRunPayload): Promise<Enqueued> {
  const data = parsePayload("sync-run", request);
  const dedupId = targetKey(data.appId, data.source);
  for (let attempt = 0; ; attempt++) {
    const ownId = `run-${randomUUID()}`;
    const job = await queue.add("sync-run", data, { ...JOB_OPTIONS["sync-run"], jobId: ownId, deduplication: { id: dedupId } });
    const id = job.id!;
    const base = { appId: data.appId, source: data.source, jobId: id };
    if (id === ownId) return { ...base, outcome: "queued" };
    if (data.mode === "incremental") return { ...base, outcome: "merged" };
    const pending = await queue.getJob(id);
    const current = pending ? parsePayload("sync-run", pending.data) : null;
    if (!pending || !current) continue; // it finished in between: ask again
    if (current.mode === "full") return { ...base, outcome: "merged" };
    await pending.updateData({ ...current, mode: "full", trigger: data.trigger });
    // The processor releases the slot before re-reading its data: if the slot still names this
    // job, the run has not read it yet and will run full; otherwise ask again for a run of our own.
    if ((await queue.getDeduplicationJobId(dedupId)) === id) return { ...base, outcome: "upgraded" };
    if (attempt >= 3) throw new EnqueueContentionError(data.appId, data.source);
  }
}
