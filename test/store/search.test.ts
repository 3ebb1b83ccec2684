// Search (mpsync_search) on a Chinese and English corpus written through the news item
// upsert, in the test template's database (LC_CTYPE C.UTF-8) and in one created with
// LC_CTYPE 'C': recall (paging through every result finds every item that contains the
// query) and precision (every result contains it) for one-, two- and four-character words,
// phrases, English stems and exclusions, against the plain text the corpus was made from.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { withDatabase } from "../../src/config/database.ts";
import { createPrisma, type PrismaClient } from "../../src/store/prisma.ts";
import { applyMigrations } from "../../src/store/migrations.ts";
import { searchNewsItems, UnsearchableQueryError, type SearchFilter, type SearchHit } from "../../src/store/read/search.ts";
import { upsertNewsItems } from "../../src/store/sql/upsert-news-items.ts";
import { createRng, intBetween, pick } from "../../src/simulator/random.ts";
import type { NewsItemRow } from "../../src/store/rows.ts";
import { createTestDatabase } from "../helpers/db.ts";
import { newsItemRow } from "../helpers/news-item.ts";
import { admin, serverUrl, testDatabaseName } from "../helpers/servers.ts";

// Words of the corpus. Traps: 公众 / 众号 / 号外 appear apart in some items, so 公众号外
// (whose pairs they are) must not match those; 好 also appears at the end of runs.
const WORDS = ["公众号", "微信", "好", "人工智能", "数据", "公众", "众号", "号外", "天气", "城市更新", "新闻", "学习", "中", "文章", "发布", "我们"];
const ENGLISH = ["running", "runs", "run", "studies", "study", "cloud", "2024", "WeChat", "the", "data"];
const SEPARATORS = ["，", "。", " ", "、", "！", "", "", ""];

interface Plain {
  key: string;
  title: string;
  digest: string;
  body: string;
}

function corpus(n: number): Plain[] {
  const rng = createRng(20251203);
  const sentence = (k: number): string => {
    let s = "";
    for (let i = 0; i < k; i++) s += (rng() < 0.15 ? ` ${pick(rng, ENGLISH)} ` : pick(rng, WORDS)) + pick(rng, SEPARATORS);
    return s.trim();
  };
  return Array.from({ length: n }, (_, i) => ({
    key: `art-${i}`,
    title: sentence(intBetween(rng, 1, 3)),
    digest: sentence(intBetween(rng, 1, 4)),
    body: Array.from({ length: intBetween(rng, 1, 4) }, () => sentence(intBetween(rng, 2, 8))).join("\n"),
  }));
}

/** The body as WeChat-like HTML: inline tags inside words must not split them; hidden parts are no text. */
function html(body: string, i: number): string {
  const paragraphs = body.split("\n").map((p) => {
    // cut a paragraph at a character inside a span: 公<span>众号</span> still reads 公众号
    const cut = Math.floor(p.length / 2);
    const a = escape(p.slice(0, cut));
    const b = escape(p.slice(cut));
    return i % 3 === 0 ? `<p style="line-height:1.75em;">${a}<span style="color:#333;">${b}</span></p>` : `<section><p>${a}<strong>${b}</strong></p></section>`;
  });
  // never matched: the script and the style hold words of the corpus
  return `<style>.x{content:"公众号外"}</style>${paragraphs.join("")}<script>var w = "号外公众号外 cloud";</script><!-- 公众号外 -->`;
}

const escape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

const CJK = "\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uac00-\\ud7af\\uf900-\\ufaff";
const WORD = `0-9A-Za-z\\u00c0-\\u024f${CJK}`;

/**
 * What the search promises, on the plain text: the term's words in order with only
 * separators between, in title, digest and body read as one text in that order (a phrase
 * may run from the end of one into the start of the next).
 */
function contains(p: Plain, words: string[], forms: (w: string) => string[] = (w) => [w]): boolean {
  const pattern = words.map((w) => `(?:${forms(w).join("|")})`).join(`[^${WORD}]*`);
  // English words are whole words; CJK words are found inside runs
  const re = new RegExp(/^[A-Za-z0-9]/.test(words[0]!) ? `(?<![A-Za-z0-9])${pattern}(?![A-Za-z0-9])` : pattern, "i");
  return re.test([p.title, p.digest, p.body].join("\n"));
}

const STEMS: Record<string, string[]> = { run: ["running", "runs", "run"], study: ["studies", "study"] };
const englishForms = (w: string): string[] => STEMS[w] ?? [w];

interface Setup {
  label: string;
  prisma: PrismaClient;
  sql: (q: string, params?: unknown[]) => Promise<{ rows: any[] }>;
}

const items = corpus(400);
const ctypeDb = testDatabaseName(`c_${randomBytes(4).toString("hex")}`);
const template = await createTestDatabase();
const setups: Setup[] = [];

async function seed(prisma: PrismaClient): Promise<void> {
  await prisma.$executeRawUnsafe(`INSERT INTO accounts (app_id) VALUES ('wxsearch0000001'), ('wxsearch0000002')`);
  await prisma.$executeRawUnsafe(
    `INSERT INTO published_articles (account_id, article_id, create_time, update_time)
     SELECT CASE WHEN i % 5 = 0 THEN 2 ELSE 1 END, 'art-' || i, timestamptz '2026-01-01Z', timestamptz '2026-01-01Z' + i * interval '1 minute'
       FROM generate_series(0, $1 - 1) AS i`,
    items.length,
  );
  const row = (p: Plain, i: number): NewsItemRow =>
    newsItemRow({ title: p.title, digest: p.digest, content: html(p.body, i), showCoverPic: 0, needOpenComment: 0, onlyFansCanComment: 0, url: `https://mp.weixin.qq.com/s/${p.key}`, contentHash: `h${i}` });
  // the sync's own write path: token streams in this process, the vector in the INSERT
  for (const account of [1, 2]) {
    const mine = items.map((p, i) => ({ p, i })).filter(({ i }) => (i % 5 === 0 ? 2 : 1) === account);
    await upsertNewsItems(prisma, "published", account, mine.map(({ p, i }) => ({ owner: p.key, item: row(p, i) })), { searchIndex: true });
  }
}

beforeAll(async () => {
  await seed(template.prisma);
  setups.push({ label: "LC_CTYPE C.UTF-8 (the test template)", prisma: template.prisma, sql: (q, params) => template.sql.query(q, params) });
  await admin((c) => c.query(`CREATE DATABASE "${ctypeDb}" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`));
  const url = withDatabase(serverUrl, ctypeDb);
  await applyMigrations(url);
  const prisma = createPrisma(url, { poolSize: 3, connectionTimeoutMs: 10_000, idleTimeoutMs: 10_000, statementTimeoutMs: 60_000 });
  await seed(prisma);
  setups.push({ label: "LC_CTYPE C", prisma, sql: async (q, params) => ({ rows: await prisma.$queryRawUnsafe(q, ...(params ?? [])) }) });
}, 120_000);

afterAll(async () => {
  await setups[1]?.prisma.$disconnect();
  await admin((c) => c.query(`DROP DATABASE IF EXISTS "${ctypeDb}" WITH (FORCE)`));
});

async function everything(prisma: PrismaClient, f: Omit<SearchFilter, "limit" | "after" | "sources" | "includeDeleted"> & Partial<SearchFilter>): Promise<SearchHit[]> {
  const out: SearchHit[] = [];
  let after: SearchFilter["after"];
  for (let page = 0; page < 500; page++) {
    const r = await searchNewsItems(prisma, { sources: ["published"], includeDeleted: false, limit: 7, ...f, after });
    out.push(...r.rows);
    if (!r.more) return out;
    after = r.rows[r.rows.length - 1];
  }
  throw new Error("no end");
}

const byKey = new Map(items.map((p) => [p.key, p]));

describe.each([0, 1])("search in database %#", (n) => {
  const s = (): Setup => setups[n]!;

  it("runs in the ctype it says", async () => {
    const { rows } = await s().sql(`SELECT datctype FROM pg_database WHERE datname = current_database()`);
    expect(rows[0].datctype).toBe(n === 0 ? "C.UTF-8" : "C");
  });

  // [query, the words of its one term in order, how English words may appear]
  const cases: [string, string[], ((w: string) => string[])?][] = [
    ["好", ["好"]],
    ["中", ["中"]],
    ["微信", ["微信"]],
    ["数据", ["数据"]],
    ["公众号", ["公众号"]],
    ["人工智能", ["人工智能"]],
    ["城市更新", ["城市更新"]],
    ["公众号外", ["公众号外"]],
    ['"微信 公众号"', ["微信", "公众号"]],
    ['"学习 好"', ["学习", "好"]],
    ["run", ["run"], englishForms],
    ["studies", ["study"], englishForms],
    ["2024", ["2024"]],
    ["wechat", ["WeChat"]],
    ['"cloud data"', ["cloud", "data"]],
  ];

  it.each(cases)("%s: every item containing it, and nothing else, paging through", async (q, words, forms) => {
    const hits = await everything(s().prisma, { q });
    const found = hits.map((h) => h.itemKey);
    expect(new Set(found).size, "no item twice across pages").toBe(found.length);
    const expected = items.filter((p) => contains(p, words, forms)).map((p) => p.key);
    expect(expected.length, `the corpus has items with ${q}`).toBeGreaterThan(0);
    expect(expected.length, `and items without`).toBeLessThan(items.length);
    expect(found.sort()).toEqual(expected.sort());
    // best first
    for (let i = 1; i < hits.length; i++) expect(hits[i]!.rank).toBeLessThanOrEqual(hits[i - 1]!.rank);
  });

  it("the trap: the pairs of 公众号外 apart are no match, though items have them all", async () => {
    const allPairs = items.filter((p) => ["公众", "众号", "号外"].every((w) => [p.title, p.digest, p.body].join("|").includes(w)) && !contains(p, ["公众号外"]));
    expect(allPairs.length).toBeGreaterThan(0);
    const found = new Set((await everything(s().prisma, { q: "公众号外" })).map((h) => h.itemKey));
    for (const p of allPairs) expect(found.has(p.key), p.key).toBe(false);
  });

  it.each([
    ["微信 -公众号", ["微信"], ["公众号"]],
    ["好 -\"我们 好\" -数据", ["好"], ["我们", "好"], ["数据"]],
    ["run -cloud", ["run"], ["cloud"]],
  ] as [string, string[], ...string[][]][])("%s: all of the first, none of the excluded", async (q, wanted, ...unwanted) => {
    const found = (await everything(s().prisma, { q })).map((h) => h.itemKey).sort();
    const expected = items
      .filter((p) => contains(p, wanted, englishForms) && !unwanted.some((u) => contains(p, u, englishForms)))
      .map((p) => p.key)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(found).toEqual(expected);
  });

  it("several words: each one, anywhere", async () => {
    const found = (await everything(s().prisma, { q: "微信 数据" })).map((h) => h.itemKey).sort();
    expect(found).toEqual(items.filter((p) => contains(p, ["微信"]) && contains(p, ["数据"])).map((p) => p.key).sort());
  });

  it("the account filter keeps to that account", async () => {
    const found = await everything(s().prisma, { q: "微信", appId: "wxsearch0000002" });
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((h) => h.appId === "wxsearch0000002" && Number(h.itemKey.slice(4)) % 5 === 0)).toBe(true);
  });

  it("the snippet marks the match in escaped body text", async () => {
    for (const q of ["公众号", "好", "run"]) {
      const hits = await everything(s().prisma, { q });
      for (const h of hits.slice(0, 20)) {
        const p = byKey.get(h.itemKey)!;
        const marked = [...h.snippet.matchAll(/<mark>([^<]*)<\/mark>/g)].map((m) => m[1]!);
        if (contains({ ...p, title: "", digest: "" }, [q === "run" ? "run" : q], englishForms)) {
          expect(marked.length, `${q}: ${h.snippet}`).toBeGreaterThan(0);
          expect(marked.some((m) => (q === "run" ? englishForms("run").includes(m.toLowerCase()) : m.includes(q))), `${q}: ${h.snippet}`).toBe(true);
        }
        // nothing but the marks is markup: the rest is escaped text
        expect(h.snippet.replace(/<\/?mark>/g, "")).not.toMatch(/[<>]/);
        expect(h.snippet).not.toContain("script");
      }
    }
  });

  it("titles weigh more than bodies", async () => {
    const hits = await everything(s().prisma, { q: "天气" });
    const inTitle = (h: SearchHit): boolean => byKey.get(h.itemKey)!.title.includes("天气");
    const firstBodyOnly = hits.findIndex((h) => !inTitle(h));
    const lastTitle = hits.map(inTitle).lastIndexOf(true);
    expect(firstBodyOnly).toBeGreaterThan(0);
    expect(lastTitle).toBeLessThan(firstBodyOnly);
  });

  it("a query with nothing to search is refused, not an empty result", async () => {
    for (const q of ["the", "，。！", "-微信", '""']) {
      await expect(searchNewsItems(s().prisma, { q, sources: ["published"], includeDeleted: false, limit: 5 })).rejects.toBeInstanceOf(UnsearchableQueryError);
    }
  });

  it("the SQL function gives the API's rows", async () => {
    const api = (await searchNewsItems(s().prisma, { q: "公众号", sources: ["published"], includeDeleted: false, limit: 10 })).rows;
    const { rows } = await s().sql(`SELECT item_key, snippet FROM mpsync_search('公众号', max_rows => 10)`);
    expect(rows.map((r) => [r.item_key, r.snippet])).toEqual(api.map((h) => [h.itemKey, h.snippet]));
  });

  it("rows written before the search existed get the same vector from the migration's SQL", async () => {
    const { rows } = await s().sql(
      `SELECT count(*)::int AS n,
              count(*) FILTER (WHERE search = mpsync_search_document(title, digest, content) AND search_head = mpsync_search_document(title, digest, NULL))::int AS same
         FROM published_news_items`,
    );
    expect(rows[0].n).toBe(items.length);
    expect(rows[0].same).toBe(items.length);
  });
});
