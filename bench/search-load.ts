// Loads the search corpus into a migrated database: one account, one published article per
// news item, written in batches with the search document made as the news item upsert
// makes it (token streams in this process, mpsync_search_vector in the INSERT).
import pg from "pg";
import { searchStreams } from "../src/store/search/tokens.ts";
import type { SearchCorpus } from "./search-corpus.ts";

export const SEARCH_APP_ID = "wxsearchbench";

/** Inserts items [0, count) with their search documents; `withSearch: false` leaves the column NULL. */
export async function loadCorpus(url: string, corpus: SearchCorpus, count: number, opts: { withSearch: boolean; batch?: number }): Promise<void> {
  const db = new pg.Client({ connectionString: url, application_name: "mpsync-bench" });
  await db.connect();
  try {
    const { rows } = await db.query<{ id: number }>(
      "INSERT INTO accounts (app_id, updated_at) VALUES ($1, now()) ON CONFLICT (app_id) DO UPDATE SET updated_at = now() RETURNING id",
      [SEARCH_APP_ID],
    );
    const accountId = rows[0]!.id;
    const batch = opts.batch ?? 200;
    const search = opts.withSearch ? "mpsync_search_vector(u.st, u.sd, u.sb), mpsync_search_vector(u.st, u.sd, NULL)" : "NULL, NULL";
    for (let start = 0; start < count; start += batch) {
      const items = [];
      for (let i = start; i < Math.min(count, start + batch); i++) {
        const item = corpus.item(i);
        items.push({ k: `sb${i}`, t: 1_700_000_000 + i, ...item, ...(opts.withSearch ? searchStreams(item) : {}) });
      }
      const json = JSON.stringify(items);
      await db.query("BEGIN");
      await db.query(
        `INSERT INTO published_articles (account_id, article_id, create_time, update_time)
         SELECT $1, u.k, to_timestamp(u.t), to_timestamp(u.t) FROM json_to_recordset($2::json) AS u(k text, t bigint)`,
        [accountId, json],
      );
      await db.query(
        `INSERT INTO published_news_items (account_id, article_id, idx, title, digest, content, url, search, search_head)
         SELECT $1, u.k, 0, u.title, u.digest, u.content, 'https://mp.weixin.qq.com/s/' || u.k, ${search}
           FROM json_to_recordset($2::json) AS u(k text, title text, digest text, content text, st text, sd text, sb text)`,
        [accountId, json],
      );
      await db.query("COMMIT");
    }
  } finally {
    await db.end();
  }
}
