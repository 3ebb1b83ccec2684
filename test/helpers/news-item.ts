// A stored news item row for tests that write through the news item upsert: empty but for
// what the test names.
import type { NewsItemRow } from "../../src/store/rows.ts";

export function newsItemRow(fields: Partial<NewsItemRow> & { contentHash: string }): NewsItemRow {
  return {
    idx: 0,
    title: null,
    author: null,
    digest: null,
    content: null,
    contentSourceUrl: null,
    thumbMediaId: null,
    thumbUrl: null,
    showCoverPic: null,
    needOpenComment: null,
    onlyFansCanComment: null,
    url: null,
    isDeleted: false,
    ...fields,
  };
}
