// total_count 0 for a source whose store holds live rows is the answer that would delete
// everything, and one WeChat has given during incidents: a full walk confirms it with a
// second read of page 0 before anything else. When the second read lists items, the first
// answer is dropped (nothing is written from it) and the walk goes on from the second.
import type { Logger } from "../logging/logger.ts";
import type { PageReader } from "./page-reader.ts";

export function confirmEmptyList(reader: PageReader, liveRows: number, log: Logger): PageReader {
  if (liveRows === 0) return reader;
  return {
    async fetch(offset, signal) {
      const page = await reader.fetch(offset, signal);
      if (offset !== 0 || page.total > 0) return page;
      const again = await reader.fetch(0, signal);
      if (again.total > 0) log.warn({ liveRows, total: again.total }, "WeChat listed no items, then listed some on a second read: the empty answer was ignored");
      else log.warn({ liveRows }, "WeChat listed no items twice for a source with stored live rows");
      return { ...again, attempts: page.attempts + again.attempts };
    },
  };
}
