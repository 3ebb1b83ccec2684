// Processor of "search-reindex": index the news items whose search document is NULL, in
// batches (src/store/search/backfill.ts); a shutdown stops it between batches and the next
// worker start asks again. The deduplication slot stays until the job ends, so replicas
// starting meanwhile do not queue a second pass.
import type { PrismaClient } from "../../src/store/prisma.ts";
import type { Logger } from "../../src/logging/logger.ts";
import { reindexSearch, type SearchCounts } from "../../src/store/search/backfill.ts";
import { JOB_OPTIONS, parsePayload } from "../catalog.ts";
import type { JobContext } from "../dispatch.ts";
import type { SyncQueue } from "../queue.ts";

const SEARCH_REINDEX_DEDUP_ID = "search-reindex";

/** Asks for one pass (deduplicated across replicas); returns the job id, a pending one's when there is one. */
export async function requestSearchReindex(queue: SyncQueue): Promise<string> {
  const job = await queue.add("search-reindex", parsePayload("search-reindex", {}), { ...JOB_OPTIONS["search-reindex"], deduplication: { id: SEARCH_REINDEX_DEDUP_ID } });
  return job.id!;
}

export async function processSearchReindex(prisma: PrismaClient, logger: Logger, { signal }: JobContext): Promise<SearchCounts> {
  const done = await reindexSearch(prisma, { signal });
  if (done.published + done.material > 0) logger.info({ indexed: done }, "search: news items indexed");
  return done;
}
