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

  it("indexes the rows already there", async () => {
    const url = await database();
    // the migrations before search, then rows, then the search migration
    const dir = await mkdtemp(path.join(tmpdir(), "mpsync-search-"));
    dirs.push(dir);
    await cp(defaultPaths.migrationsDir, dir, { recursive: true, filter: (src) => !src.includes("_search") });
    await applyMigrations(url, { schemaPath: defaultPaths.schemaPath, migrationsDir: dir });
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(`INSERT INTO accounts (app_id) VALUES ('wxold0000000001')`);
      await c.query(`INSERT INTO published_articles (account_id, article_id) VALUES (1, 'old')`);
      await c.query(`INSERT INTO published_news_items (account_id, article_id, idx, title, content) VALUES (1, 'old', 0, '旧文章', '<p>早已同步的公众号文章</p>')`);
      expect(await applyMigrations(url)).toEqual([expect.stringMatching(/_search$/)]);
      const { rows } = await c.query(`SELECT item_key, snippet FROM mpsync_search('公众号')`);
      expect(rows).toEqual([{ item_key: "old", snippet: "早已同步的<mark>公众号</mark>文章" }]);
    } finally {
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
