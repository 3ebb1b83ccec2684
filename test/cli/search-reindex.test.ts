// Turning search on for a database synced without it: `mpsync search reindex` indexes the
// news items whose search is NULL (progress on stderr, counts on stdout), is idempotent, and
// refuses while SEARCH_INDEX is off; the worker asks for the same pass at start, one pending
// job however many replicas start (BullMQ deduplication).
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logging/logger.ts";
import { createRuntime } from "../../src/runtime.ts";
import { unindexedCounts } from "../../src/store/search/backfill.ts";
import { upsertNewsItems } from "../../src/store/sql/upsert-news-items.ts";
import { startSyncWorker } from "../../jobs/worker.ts";
import { requestSearchReindex } from "../../jobs/processors/search-reindex.ts";
import { createTestDatabase, createTestRedis, openTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { newsItemRow } from "../helpers/news-item.ts";
import { runMpsync, testQueue, until } from "../jobs/harness.ts";
import { appConfig } from "../sync/harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const env = (extra: Record<string, string>) => ({ DATABASE_URL: db.url, REDIS_URL: redis.url, MPSYNC_REDIS_PREFIX: redis.prefix, ...extra });

/** `n` published news items synced with the index off (search NULL), `word` in every third body. */
async function syncedWithoutIndex(d: TestDatabase, app: string, n: number, word: string): Promise<string[]> {
  const { rows } = await d.sql.query(`INSERT INTO accounts (app_id) VALUES ($1) RETURNING id`, [app]);
  const account = rows[0].id as number;
  const keys = Array.from({ length: n }, (_, i) => `${app}-${i}`);
  await d.sql.query(`INSERT INTO published_articles (account_id, article_id) SELECT $1, unnest($2::text[])`, [account, keys]);
  await upsertNewsItems(
    d.prisma,
    "published",
    account,
    keys.map((k, i) => ({ owner: k, item: newsItemRow({ title: `标题${i}`, content: `<p>${i % 3 === 0 ? word : "别的"}内容</p>`, contentHash: k }) })),
    { searchIndex: false },
  );
  return keys.filter((_, i) => i % 3 === 0);
}

const found = async (d: TestDatabase, q: string): Promise<string[]> =>
  (await d.sql.query(`SELECT item_key FROM mpsync_search($1, max_rows => 10000)`, [q])).rows.map((r) => r.item_key).sort();

describe("mpsync search reindex", () => {
  it("refuses while SEARCH_INDEX is off, naming the setting, and indexes nothing", async () => {
    await syncedWithoutIndex(db, "wxcliofff000001", 4, "霜降");
    const r = await runMpsync(["search", "reindex"], env({}));
    expect(r.code).toBe(1);
    expect(r.all).toMatch(/search is off: set SEARCH_INDEX=true/);
    expect((await unindexedCounts(db.prisma)).published).toBe(4);
  });

  it("indexes what was synced without the index, then search finds every item holding the word; a second run finds nothing to do", async () => {
    const expected = await syncedWithoutIndex(db, "wxclireindex001", 1_234, "小雪");
    expect(await found(db, "小雪")).toEqual([]);
    const r = await runMpsync(["search", "reindex"], env({ SEARCH_INDEX: "true" }));
    expect(r.code, r.all).toBe(0);
    // the 4 rows of the test before are indexed too
    expect((await unindexedCounts(db.prisma)).published).toBe(0);
    expect(r.stdout.trim()).toBe("indexed 1238 published and 0 material news items; not indexed now: 0");
    expect(r.all).toMatch(/to index: 1238 published and 0 material news items/);
    expect(r.all).toMatch(/published: 1238 of 1238 indexed/);
    expect(await found(db, "小雪")).toEqual(expected.sort());
    const again = await runMpsync(["search", "reindex", "--json"], env({ SEARCH_INDEX: "true" }));
    expect(again.code, again.all).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ indexed: { published: 0, material: 0 }, unindexed: { published: 0, material: 0 } });
  });
});

describe("the worker with SEARCH_INDEX on", () => {
  const queue = testQueue(redis.url, `${redis.prefix}:dedup`);

  it("asks for one reindex however many replicas start", async () => {
    const ids = await Promise.all([requestSearchReindex(queue), requestSearchReindex(queue), requestSearchReindex(queue)]);
    expect(new Set(ids).size).toBe(1);
    expect(await queue.getJobCounts("waiting")).toMatchObject({ waiting: 1 });
  });

  it("indexes the rows synced while search was off, in the background after start", async () => {
    const d = await openTestDatabase();
    const expected = await syncedWithoutIndex(d, "wxworkerindex01", 40, "大寒");
    const rt = createRuntime({ ...appConfig(d, redis, "http://127.0.0.1:9"), accounts: [], search: { index: true } }, { logger: createLogger("silent") });
    const worker = await startSyncWorker(rt, { schedules: false });
    try {
      await until(async () => (await unindexedCounts(d.prisma)).published === 0, 30_000, "the worker's reindex");
      expect(await found(d, "大寒")).toEqual(expected.sort());
    } finally {
      await worker.shutdown(5_000);
      await rt.close();
      await d.drop();
    }
  });
});
