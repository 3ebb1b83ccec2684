// How the search column is kept: the sync's token streams (src/store/search/tokens.ts) and the
// migration's SQL give the same vectors on awkward input; the upsert rewrites the vector with
// the row; the migration indexes rows that were there before it; a database that cannot
// hold the search is refused by migrate before anything is applied.
import { afterEach, describe, expect, it } from "vitest";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { randomBytes } from "node:crypto";
import { withDatabase } from "../../src/config/database.ts";
import { applyMigrations, defaultPaths } from "../../src/store/migrations.ts";
import { searchStreams } from "../../src/store/search/tokens.ts";
import { SearchUnsupportedError } from "../../src/store/search/support.ts";
import { upsertNewsItems } from "../../src/store/sql/upsert-news-items.ts";
import { reindexSearch, unindexedCounts } from "../../src/store/search/backfill.ts";
import { createPrisma } from "../../src/store/prisma.ts";
import type { NewsItemRow } from "../../src/store/rows.ts";
import { createTestDatabase } from "../helpers/db.ts";
import { newsItemRow } from "../helpers/news-item.ts";
import { admin, serverUrl, testDatabaseName } from "../helpers/servers.ts";

const db = await createTestDatabase();

const AWKWARD: { title: string | null; digest: string | null; content: string | null }[] = [
  { title: null, digest: null, content: null },
  { title: "", digest: "", content: "" },
  { title: "微信API2024年 Café déjà-vu", digest: "ＡＰＩ１２３ ｗｅｃｈａｔ", content: "<p>公<span style='a>b'>众</span>号</p>" },
  { title: "𠀀𠀁𠀂 かなカナ 한국어", digest: "x86_64 e-mail user@example.com 3.14", content: "&#20013;&#x6587;&amp;#x4e2d;&nbsp;&lt;b&gt; &#0; &#55296; &#x110000; &copy;" },
  { title: "t", digest: "d", content: "<script>公众号</script><SCRIPT type=x>hidden</SCRIPT ><style>p{}</style>可见<!-- 注释 -->文本<!-- unclosed 公众号" },
  { title: "x", digest: "y", content: "<textarea>没有</textarea><title>标题</title><noscript>无</noscript><template>模板</template>正文<br/>换行<img src=x alt='图'>图后" },
  // past the body's 14,000 characters, with four-byte characters around the cut
  { title: "长".repeat(1200), digest: "摘".repeat(999) + "𠀀𠀁", content: `<p>${"正文".repeat(6999)}𠀀𠀁𠀂 end</p>` },
  { title: "Running RUNS the studies", digest: "don't stop-believing", content: "<div>a&lt;b &amp;&amp; c&gt;d</div>\n\t<p>  多  空格  </p>" },
];

const row = (n: { title: string | null; digest: string | null; content: string | null }, hash: string): NewsItemRow => newsItemRow({ ...n, contentHash: hash });

describe("the search column", () => {
  it("the sync's token streams and the migration's SQL make the same vector", async () => {
    for (const [i, item] of AWKWARD.entries()) {
      const s = searchStreams(item);
      const { rows } = await db.sql.query(
        `SELECT mpsync_search_vector($1, $2, $3)::text AS sync, mpsync_search_document($4, $5, $6)::text AS sql`,
        [s.st, s.sd, s.sb, item.title, item.digest, item.content],
      );
      expect(rows[0].sync, `item ${i}`).toBe(rows[0].sql);
    }
    // and the awkward parts are read as a reader sees them
    const { rows } = await db.sql.query(`SELECT mpsync_search_text($1) AS t`, [AWKWARD[4]!.content]);
    expect(rows[0].t).toBe("可见 文本");
    const third = await db.sql.query(`SELECT mpsync_search_document($1, $2, $3)::text AS v`, [AWKWARD[2]!.title, AWKWARD[2]!.digest, AWKWARD[2]!.content]);
    expect(third.rows[0].v).toContain("'公众':");
    expect(third.rows[0].v).toContain("'api123':");
  });

  it("is rewritten with its row by the upsert, so an edited word is found and the old one no longer", async () => {
    await db.sql.query(`INSERT INTO accounts (app_id) VALUES ('wxindex00000001')`);
    await db.sql.query(`INSERT INTO published_articles (account_id, article_id) VALUES (1, 'a1')`);
    const write = (content: string, hash: string) => upsertNewsItems(db.prisma, "published", 1, [{ owner: "a1", item: row({ title: "标题", digest: null, content }, hash) }], { searchIndex: true });
    const found = async (q: string) => (await db.sql.query(`SELECT item_key FROM mpsync_search($1)`, [q])).rows.map((r) => r.item_key);
    await write("<p>春节快乐</p>", "h1");
    expect(await found("春节")).toEqual(["a1"]);
    await write("<p>中秋快乐</p>", "h2");
    expect(await found("春节")).toEqual([]);
    expect(await found("中秋")).toEqual(["a1"]);
  });
});

describe("SEARCH_INDEX off, then the reindex", () => {
  it("off, the upsert writes NULL and tokenizes nothing: each field is read once, by the row's copy, never by the tokenizer", async () => {
    const { rows: acc } = await db.sql.query(`INSERT INTO accounts (app_id) VALUES ('wxindexoff00001') RETURNING id`);
    const account = acc[0].id as number;
    await db.sql.query(`INSERT INTO published_articles (account_id, article_id) VALUES ($1, 'off1')`, [account]);
    const reads = { on: 0, off: 0 };
    const counted = (mode: "on" | "off", hash: string): NewsItemRow => {
      const r = row({ title: "标题", digest: "摘要", content: null }, hash);
      return Object.defineProperty(r, "content", { enumerable: true, get: () => (reads[mode]++, "<p>夏至的文章</p>") });
    };
    await upsertNewsItems(db.prisma, "published", account, [{ owner: "off1", item: counted("on", "h-on") }], { searchIndex: true });
    expect((await db.sql.query(`SELECT search IS NOT NULL AS s FROM published_news_items WHERE article_id = 'off1'`)).rows[0].s).toBe(true);
    await upsertNewsItems(db.prisma, "published", account, [{ owner: "off1", item: counted("off", "h-off") }], { searchIndex: false });
    expect(reads).toEqual({ on: 2, off: 1 });
    // the edited row's vector is gone with the edit
    expect((await db.sql.query(`SELECT search, search_head FROM published_news_items WHERE article_id = 'off1'`)).rows).toEqual([{ search: null, search_head: null }]);
  });

  it("indexes every NULL row of both tables in batches with the sync's vectors, again finds nothing to do, and search then finds every item holding a word", async () => {
    const { rows: acc } = await db.sql.query(`INSERT INTO accounts (app_id) VALUES ('wxreindex000001') RETURNING id`);
    const account = acc[0].id as number;
    const items = Array.from({ length: 23 }, (_, i) => ({ key: `re${i}`, title: `第${i}篇`, digest: i % 3 === 0 ? "冬至快乐" : "日常", content: `<p>${i % 4 === 0 ? "立冬的公众号" : "平常的一天"} cloud${i}</p>` }));
    await db.sql.query(`INSERT INTO published_articles (account_id, article_id) SELECT $1, unnest($2::text[])`, [account, items.map((i) => i.key)]);
    await db.sql.query(`INSERT INTO materials (account_id, media_id, type) SELECT $1, 'm' || g, 'news' FROM generate_series(1, 7) AS g`, [account]);
    const off = { searchIndex: false };
    await upsertNewsItems(db.prisma, "published", account, items.map((p) => ({ owner: p.key, item: row(p, p.key) })), off);
    await upsertNewsItems(db.prisma, "material", account, Array.from({ length: 7 }, (_, g) => ({ owner: `m${g + 1}`, item: row({ title: "素材", digest: null, content: "<p>冬至的素材</p>" }, `m${g}`) })), off);
    const before = await unindexedCounts(db.prisma);
    expect(before.published).toBeGreaterThanOrEqual(23);
    expect(before.material).toBe(7);

    const batches: string[] = [];
    const done = await reindexSearch(db.prisma, { batch: 5, onBatch: (p) => batches.push(`${p.source}:${p.indexed}`) });
    expect(done).toEqual(before);
    // keyset pages of 5: every batch but the last full
    expect(batches.filter((b) => b.startsWith("material:"))).toEqual(["material:5", "material:7"]);
    expect(batches.filter((b) => b.startsWith("published:")).length).toBe(Math.ceil(before.published / 5));
    expect(await unindexedCounts(db.prisma)).toEqual({ published: 0, material: 0 });
    expect(await reindexSearch(db.prisma, { batch: 5 })).toEqual({ published: 0, material: 0 });

    // one tokenizer path: the reindex wrote what the upsert writes
    for (const p of items.slice(0, 4)) {
      const s = searchStreams(p);
      const { rows } = await db.sql.query(
        `SELECT search = mpsync_search_vector($2, $3, $4) AND search_head = mpsync_search_vector($2, $3, NULL) AS same FROM published_news_items WHERE article_id = $1`,
        [p.key, s.st, s.sd, s.sb],
      );
      expect(rows[0].same, p.key).toBe(true);
    }
    // recall and precision of this account's items, both kinds of news item
    const found = async (q: string) =>
      (await db.sql.query(`SELECT source || ':' || item_key AS k FROM mpsync_search($1, 'wxreindex000001', ARRAY['published', 'material'], max_rows => 1000)`, [q])).rows.map((r) => r.k).sort();
    expect(await found("立冬")).toEqual(items.filter((_, i) => i % 4 === 0).map((p) => `published:${p.key}`).sort());
    expect(await found("冬至")).toEqual([...items.filter((_, i) => i % 3 === 0).map((p) => `published:${p.key}`), ...Array.from({ length: 7 }, (_, g) => `material:m${g + 1}`)].sort());
    expect(await found("cloud7")).toEqual(["published:re7"]);
  });
});

describe("migrate", () => {
  const created: string[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const name of created.splice(0)) await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  async function database(options = ""): Promise<string> {
    const name = testDatabaseName(`m_${randomBytes(4).toString("hex")}`);
    await admin((c) => c.query(`CREATE DATABASE "${name}" ${options}`));
    created.push(name);
    return withDatabase(serverUrl, name);
  }

  it("leaves the rows already there unindexed (no backfill at upgrade), and the reindex then indexes them", async () => {
    const url = await database();
    // the migrations before search, then rows, then the search migration
    const dir = await mkdtemp(path.join(tmpdir(), "mpsync-search-"));
    dirs.push(dir);
    await cp(defaultPaths.migrationsDir, dir, { recursive: true, filter: (src) => !src.includes("_search") });
    await applyMigrations(url, { schemaPath: defaultPaths.schemaPath, migrationsDir: dir });
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const prisma = createPrisma(url, { poolSize: 2, connectionTimeoutMs: 10_000, idleTimeoutMs: 1_000, statementTimeoutMs: 60_000 });
    try {
      await c.query(`INSERT INTO accounts (app_id) VALUES ('wxold0000000001')`);
      await c.query(`INSERT INTO published_articles (account_id, article_id) VALUES (1, 'old')`);
      await c.query(`INSERT INTO published_news_items (account_id, article_id, idx, title, content) VALUES (1, 'old', 0, '旧文章', '<p>早已同步的公众号文章</p>')`);
      expect(await applyMigrations(url)).toEqual([expect.stringMatching(/_search$/)]);
      // the migration ran whole (functions, columns, GIN indexes) but indexed nothing
      const idx = await c.query(`SELECT indexname FROM pg_indexes WHERE indexname LIKE '%_search_idx' ORDER BY 1`);
      expect(idx.rows.map((r) => r.indexname)).toEqual(["material_news_items_search_idx", "published_news_items_search_idx"]);
      expect((await c.query(`SELECT search, search_head FROM published_news_items`)).rows).toEqual([{ search: null, search_head: null }]);
      expect((await c.query(`SELECT item_key FROM mpsync_search('公众号')`)).rows).toEqual([]);
      expect(await unindexedCounts(prisma)).toEqual({ published: 1, material: 0 });
      expect(await reindexSearch(prisma)).toEqual({ published: 1, material: 0 });
      const { rows } = await c.query(`SELECT item_key, snippet FROM mpsync_search('公众号')`);
      expect(rows).toEqual([{ item_key: "old", snippet: "早已同步的<mark>公众号</mark>文章" }]);
    } finally {
      await prisma.$disconnect();
      await c.end();
    }
  });

  it("refuses a database that cannot hold Chinese text, before applying anything", async () => {
    const url = await database(`TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'`);
    const error = await applyMigrations(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SearchUnsupportedError);
    expect((error as Error).message).toMatch(/encoding LATIN1, LC_CTYPE C\): mpsync needs a UTF8 database .* ENCODING 'UTF8'/);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const { rows } = await c.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);
      expect(rows[0].n).toBe(0);
    } finally {
      await c.end();
    }
  });
});
