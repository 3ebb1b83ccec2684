// The search section of `npm run bench` (also `npx tsx bench/search.ts [--items n]` alone):
// a corpus of news items (bench/search-corpus.ts) loaded into a database of its own, the
// search index built as the migration builds it, its size against the text it indexes,
// and mpsync_search's latency for words of each frequency, a four-character word, a
// phrase, an English word and an exclusion (limit 20, as the read API's default page).
// The corpus is loaded without search documents, as a database synced while SEARCH_INDEX
// was off, and indexed by the reindex (`mpsync search reindex`, the worker at start): its
// time is what turning search on costs an existing installation. The sync's cost of the
// index is measured by bench/run.ts (the full syncs again with SEARCH_INDEX on).
import pg from "pg";
import { withDatabase } from "../src/config/database.ts";
import { applyMigrations } from "../src/store/migrations.ts";
import { DEFAULT_DB_POOL } from "../src/config/defaults.ts";
import { createPrisma } from "../src/store/prisma.ts";
import { reindexSearch, unindexedCounts } from "../src/store/search/backfill.ts";
import { fmtInt } from "./report.ts";
import { searchCorpus } from "./search-corpus.ts";
import { loadCorpus } from "./search-load.ts";

export interface SearchQueryResult {
  label: string;
  q: string;
  matches: number;
  p50Ms: number;
  p95Ms: number;
}

export interface SearchBench {
  items: number;
  bodyBytes: number;
  loadMs: number;
  /** reindexSearch of every row (the GIN index in place, as after the migration) */
  reindexMs: number;
  /** one bulk build of the GIN index over the indexed rows (REINDEX) */
  indexBuildMs: number;
  bytes: { html: number; text: number; column: number; gin: number };
  queries: SearchQueryResult[];
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

export async function runSearchBench(serverUrl: string, name: string, opts: { items: number; bodyBytes: number; runs: number; progress(msg: string): void }): Promise<SearchBench> {
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, "postgres") });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = withDatabase(serverUrl, name);
  try {
    await applyMigrations(url);
    const corpus = searchCorpus(42, opts.bodyBytes);
    const db = new pg.Client({ connectionString: url, application_name: "mpsync-bench" });
    await db.connect();
    try {
      // rows synced with search off (NULL), then the reindex, with the migration's GIN index in place
      opts.progress(`S. search: loading ${fmtInt(opts.items)} news items of ${fmtInt(opts.bodyBytes)}-byte bodies without search documents`);
      const t0 = performance.now();
      await loadCorpus(url, corpus, opts.items, { withSearch: false });
      const loadMs = performance.now() - t0;
      opts.progress("S. search: mpsync search reindex");
      const prisma = createPrisma(url, DEFAULT_DB_POOL);
      let reindexMs: number;
      try {
        // (also connects Prisma, whose $disconnect then ends the pool the reindex used)
        const pending = await unindexedCounts(prisma);
        if (pending.published !== opts.items) throw new Error(`expected ${opts.items} unindexed news items, found ${pending.published}`);
        const t1 = performance.now();
        const done = await reindexSearch(prisma);
        reindexMs = performance.now() - t1;
        if (done.published !== opts.items) throw new Error(`the reindex indexed ${done.published} of ${opts.items} news items`);
      } finally {
        await prisma.$disconnect();
      }
      opts.progress("S. search: rebuilding the GIN index in one build");
      const t2 = performance.now();
      await db.query(`SET maintenance_work_mem = '256MB'`);
      await db.query(`REINDEX INDEX published_news_items_search_idx`);
      const indexBuildMs = performance.now() - t2;
      await db.query(`VACUUM ANALYZE published_news_items`);
      const sizes = await db.query<{ html: string; text: string; column: string; gin: string }>(
        `SELECT sum(octet_length(content))::bigint AS html, sum(octet_length(mpsync_search_text(content)) + octet_length(coalesce(title, '')) + octet_length(coalesce(digest, '')))::bigint AS text,
                sum(pg_column_size(search))::bigint AS column, pg_relation_size('published_news_items_search_idx') AS gin FROM published_news_items`,
      );
      const s = sizes.rows[0]!;

      // words by frequency rank in the corpus's Zipf distribution
      const two = (rank: number): string => corpus.words.slice(rank).find((w) => w.length === 2)!;
      const four = (rank: number): string => corpus.words.slice(rank).find((w) => w.length === 4)!;
      const queries: [string, string][] = [
        ["two-character word, common (rank ~50)", two(50)],
        ["two-character word (rank ~1,000)", two(1000)],
        ["two-character word (rank ~8,000)", two(8000)],
        ["two-character word, rare (rank ~15,000)", two(15000)],
        ["one character", corpus.words.find((w) => w.length === 1)!],
        ["four-character word (rank ~1,000)", four(1000)],
        ["quoted phrase of two words", `"${two(200)} ${two(300)}"`],
        ["English word (stemmed)", "running"],
        ["word and exclusion", `${two(1000)} -${two(50)}`],
      ];
      const results: SearchQueryResult[] = [];
      for (const [label, q] of queries) {
        opts.progress(`S. search: ${label}: ${q}`);
        const matches = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM published_news_items WHERE search @@ mpsync_search_query($1)`, [q])).rows[0]!.n;
        await db.query(`SELECT * FROM mpsync_search($1, max_rows => 20)`, [q]); // warm
        const times: number[] = [];
        for (let i = 0; i < opts.runs; i++) {
          const t = performance.now();
          await db.query(`SELECT * FROM mpsync_search($1, max_rows => 20)`, [q]);
          times.push(performance.now() - t);
        }
        times.sort((a, b) => a - b);
        results.push({ label, q, matches, p50Ms: percentile(times, 50), p95Ms: percentile(times, 95) });
      }
      return { items: opts.items, bodyBytes: opts.bodyBytes, loadMs, reindexMs, indexBuildMs, bytes: { html: Number(s.html), text: Number(s.text), column: Number(s.column), gin: Number(s.gin) }, queries: results };
    } finally {
      await db.end();
    }
  } finally {
    const a = new pg.Client({ connectionString: withDatabase(serverUrl, "postgres") });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await a.end();
  }
}

const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;

/** The section's lines, targets beside the figures. */
export function searchReport(r: SearchBench, sync: { label: string; withMs: number; withoutMs: number }[]): string {
  const lines = [
    `Search: ${fmtInt(r.items)} news items, ${fmtInt(r.bodyBytes)}-byte bodies (bench/search.ts)`,
    `  load without search documents ${(r.loadMs / 1000).toFixed(1)} s; mpsync search reindex ${(r.reindexMs / 1000).toFixed(1)} s (${fmtInt(Math.round(r.items / (r.reindexMs / 1000)))} items/s); GIN index rebuilt in one build ${(r.indexBuildMs / 1000).toFixed(1)} s`,
    `  text indexed ${mb(r.bytes.text)} (HTML ${mb(r.bytes.html)}); GIN index ${mb(r.bytes.gin)} (${(r.bytes.gin / r.bytes.text).toFixed(2)}x the text, target <= 1x: ${r.bytes.gin <= r.bytes.text ? "met" : "MISSED"}); search column ${mb(r.bytes.column)} (${(r.bytes.column / r.bytes.text).toFixed(2)}x)`,
    `  mpsync_search, limit 20 (target p95 < 50 ms):`,
    ...r.queries.map((q) => `    ${q.label.padEnd(40)} ${String(q.q).padEnd(14)} ${fmtInt(q.matches).padStart(7)} matches  p50 ${q.p50Ms.toFixed(1).padStart(7)} ms  p95 ${q.p95Ms.toFixed(1).padStart(7)} ms  ${q.p95Ms < 50 ? "met" : "MISSED"}`),
    ...sync.map((s) => `  full sync ${s.label}: ${(s.withMs / 1000).toFixed(2)} s with SEARCH_INDEX on, ${(s.withoutMs / 1000).toFixed(2)} s off: ${((s.withMs / s.withoutMs - 1) * 100).toFixed(1)}% slower (target <= 10%: ${s.withMs <= s.withoutMs * 1.1 ? "met" : "MISSED"})`),
  ];
  return lines.join("\n");
}

// alone: npx tsx bench/search.ts [--items n] [--runs n]
if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, dflt: number): number => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const { loadDatabaseUrl } = await import("../src/config/database.ts");
  const r = await runSearchBench(loadDatabaseUrl(), `mpsync_bench_search_${process.pid}`, {
    items: arg("--items", 100_000),
    bodyBytes: arg("--body-bytes", 4096),
    runs: arg("--runs", 30),
    progress: (m) => process.stderr.write(`bench: ${m}\n`),
  });
  process.stdout.write(searchReport(r, []) + "\n");
}
