// What the entry point (bin/mpsync.js) hands every command: the job queue, which lives
// in jobs/ (src/ never imports jobs/). Loaded on first use, so commands without the queue
// never load BullMQ.
import type { Jobs } from "../job-queue.ts";

export interface CliContext {
  jobs(): Promise<Jobs>;
}
