// Shared setup of the sync tests: a database and Redis prefix of this file's own, an
// in-process simulator over real HTTP, and a runtime pointed at both.
import type { AppConfig, AccountConfig } from "../../src/config/config.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createRuntime, type Runtime, type RuntimeOptions } from "../../src/runtime.ts";
import { startSimulator, SIM_DEFAULT_APP, type Simulator, type SimulatorOptions, type SimNewsItem } from "../../src/simulator/index.ts";
import { afterEach, beforeEach } from "vitest";
import { openTestDatabase, openTestRedis, type TestDatabase, type TestRedis } from "../helpers/db.ts";
import type pg from "pg";

export const APP_ID = SIM_DEFAULT_APP.appId;
export const FAST_RETRY = { minDelayMs: 2, maxDelayMs: 10, maxTotalMs: 20_000, rateLimitDelayMs: () => 5 };

export function accountConfig(concurrency = 4): AccountConfig {
  return {
    appId: APP_ID,
    appSecret: SIM_DEFAULT_APP.secret,
    tokenKind: "stable",
    concurrency,
    schedule: { incrementalEveryMinutes: 15, fullCron: "0 3 * * *", enabled: true },
  };
}

export function appConfig(db: TestDatabase, redis: TestRedis, wechatBaseUrl: string, concurrency = 4): AppConfig {
  return {
    databaseUrl: db.url,
    db: { poolSize: 5, connectionTimeoutMs: 10_000, idleTimeoutMs: 10_000, statementTimeoutMs: 60_000 },
    redisUrl: redis.url,
    redisPrefix: redis.prefix,
    logLevel: "silent",
    wechatBaseUrl,
    wechatMaxResponseBytes: 32 * 1024 * 1024,
    accounts: [accountConfig(concurrency)],
    worker: { concurrency: 2, shutdownTimeoutMs: 5_000, lockDurationMs: 30_000 },
    http: { port: undefined, host: "127.0.0.1", adminToken: undefined },
  };
}

export async function simulator(opts: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  return startSimulator({
    apps: [{ appId: SIM_DEFAULT_APP.appId, secret: SIM_DEFAULT_APP.secret }],
    seed: { seed: 7, published: 120, maxNewsItems: 4, contentBytes: 300, materials: { image: 45, video: 22, voice: 7, news: 25 } },
    ...opts,
  });
}

export function runtimeFor(db: TestDatabase, redis: TestRedis, sim: Simulator, concurrency = 4, opts: RuntimeOptions = {}): Runtime {
  return createRuntime(appConfig(db, redis, sim.url, concurrency), { logger: createLogger("silent"), retry: FAST_RETRY, tokens: { pollMs: 5 }, ...opts });
}

export interface SyncEnv {
  db: TestDatabase;
  redis: TestRedis;
  sim: Simulator;
  rt: Runtime;
}

/**
 * Fresh state for every test of the file: its own database, Redis prefix, simulator and
 * runtime, made in beforeEach and removed in afterEach. Read the fields inside tests.
 */
export function freshSyncEnv(opts: { sim?: Partial<SimulatorOptions>; concurrency?: number; runtime?: RuntimeOptions } = {}): SyncEnv {
  const env = {} as SyncEnv;
  let cleanup: (() => Promise<void>)[] = [];
  beforeEach(async () => {
    const db = await openTestDatabase();
    const redis = openTestRedis();
    const sim = await simulator(opts.sim);
    const rt = runtimeFor(db, redis, sim, opts.concurrency ?? 4, opts.runtime);
    cleanup = [() => rt.close(), () => sim.close(), redis.clear, db.drop];
    Object.assign(env, { db, redis, sim, rt });
  });
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });
  return env;
}

const toDate = (s: number | null | undefined): string | null => (s === null || s === undefined ? null : new Date(s * 1000).toISOString());

function newsItemColumns(n: SimNewsItem, idx: number, isDeleted: boolean): Record<string, unknown> {
  return {
    idx,
    title: n.title,
    author: n.author,
    digest: n.digest,
    content: n.content,
    content_source_url: n.content_source_url,
    thumb_media_id: n.thumb_media_id,
    thumb_url: n.thumb_url,
    show_cover_pic: n.show_cover_pic,
    need_open_comment: n.need_open_comment,
    only_fans_can_comment: n.only_fans_can_comment,
    url: n.url,
    is_deleted: isDeleted,
    has_deleted_at: isDeleted,
  };
}

const NEWS_COLS = `idx, title, author, digest, content, content_source_url, thumb_media_id, thumb_url, show_cover_pic,
  need_open_comment, only_fans_can_comment, url, is_deleted, deleted_at IS NOT NULL AS has_deleted_at`;

/** What the tables must hold for the simulator's live items, every column the API feeds. */
export function expectedState(sim: Simulator, opts: { createTimeServed?: boolean } = {}) {
  const articles = sim.published().map((a) => ({
    article_id: a.article_id,
    create_time: opts.createTimeServed ? toDate(a.create_time) : null,
    update_time: toDate(a.update_time),
    is_deleted: a.news_item.length > 0 && a.news_item.every((n) => n.is_deleted),
    has_deleted_at: a.news_item.length > 0 && a.news_item.every((n) => n.is_deleted),
    news: a.news_item.map((n, i) => newsItemColumns(n, i, n.is_deleted)),
  }));
  const materials = (["image", "video", "voice", "news"] as const).flatMap((type) =>
    sim.materials(type).map((m) => ({
      media_id: m.media_id,
      type,
      // news materials carry no name on the wire; video/voice no url
      name: type === "news" ? null : m.name,
      url: m.url ?? null,
      create_time: type === "news" ? toDate(m.create_time) : null,
      update_time: toDate(m.update_time),
      is_deleted: false,
      has_deleted_at: false,
      news: (m.news_item ?? []).map((n, i) => newsItemColumns(n, i, false)),
    })),
  );
  return { articles, materials };
}

/** The live rows of the tables in the same shape (deleted ones are reported apart). */
export async function storedState(sql: pg.Pool) {
  const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
  const arts = await sql.query(
    `SELECT article_id, create_time, update_time, is_deleted, deleted_at IS NOT NULL AS has_deleted_at FROM published_articles ORDER BY article_id`,
  );
  const artNews = await sql.query(`SELECT article_id, ${NEWS_COLS} FROM published_news_items ORDER BY article_id, idx`);
  const mats = await sql.query(
    `SELECT media_id, type, name, url, create_time, update_time, is_deleted, deleted_at IS NOT NULL AS has_deleted_at FROM materials ORDER BY media_id`,
  );
  const matNews = await sql.query(`SELECT media_id, ${NEWS_COLS} FROM material_news_items ORDER BY media_id, idx`);
  const group = (rows: Record<string, unknown>[], key: string) => {
    const m = new Map<string, Record<string, unknown>[]>();
    for (const { [key]: k, ...rest } of rows) m.set(k as string, [...(m.get(k as string) ?? []), rest]);
    return m;
  };
  const an = group(artNews.rows, "article_id");
  const mn = group(matNews.rows, "media_id");
  return {
    articles: arts.rows.map((r) => ({ ...r, create_time: iso(r.create_time), update_time: iso(r.update_time), news: an.get(r.article_id) ?? [] })),
    materials: mats.rows.map((r) => ({ ...r, create_time: iso(r.create_time), update_time: iso(r.update_time), news: mn.get(r.media_id) ?? [] })),
  };
}

const byKey = <T extends Record<string, unknown>>(rows: T[], key: string): T[] => [...rows].sort((a, b) => String(a[key]).localeCompare(String(b[key])));

/** Live rows equal the simulator field for field; every other row is marked deleted. */
export async function assertConverged(sql: pg.Pool, sim: Simulator, expectFn: (a: unknown, b: unknown) => void, opts: { createTimeServed?: boolean } = {}): Promise<void> {
  const want = expectedState(sim, opts);
  const got = await storedState(sql);
  const liveIds = new Set(want.articles.map((a) => a.article_id));
  const liveMats = new Set(want.materials.map((m) => m.media_id));
  expectFn(byKey(got.articles.filter((a) => liveIds.has(a.article_id)), "article_id"), byKey(want.articles, "article_id"));
  expectFn(byKey(got.materials.filter((m) => liveMats.has(m.media_id)), "media_id"), byKey(want.materials, "media_id"));
  const stale = [
    ...got.articles.filter((a) => !liveIds.has(a.article_id)).map((a) => ({ id: a.article_id, d: a.is_deleted && a.has_deleted_at })),
    ...got.materials.filter((m) => !liveMats.has(m.media_id)).map((m) => ({ id: m.media_id, d: m.is_deleted && m.has_deleted_at })),
  ];
  expectFn(stale.filter((s) => !s.d), []);
}

const DATA_TABLES = ["published_articles", "published_news_items", "materials", "material_news_items"];

/** Row versions (xmin, ctid) of every row of the data tables: an insert or update changes them. */
export async function rowVersions(sql: pg.Pool): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const t of DATA_TABLES) {
    const r = await sql.query<{ id: string; v: string }>(`SELECT id::text AS id, xmin::text || ':' || ctid::text AS v FROM ${t}`);
    for (const row of r.rows) out.set(`${t}:${row.id}`, row.v);
  }
  return out;
}

/** How many rows were inserted or updated between two snapshots. */
export function rowsWritten(before: Map<string, string>, after: Map<string, string>): number {
  let n = 0;
  for (const [k, v] of after) if (before.get(k) !== v) n++;
  return n;
}

/**
 * Counts every row written (inserted, updated, deleted) in every table of the database from
 * now on, by row triggers: exact and immediate, unlike pg_stat_user_tables, whose counts
 * arrive late. `counts()` returns them per table (tables not written are left out).
 */
export async function trackWrites(sql: pg.Pool): Promise<{ counts(): Promise<Record<string, number>> }> {
  await sql.query(`
    CREATE TABLE test_row_writes (tbl text NOT NULL, op text NOT NULL);
    CREATE FUNCTION test_count_row_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO test_row_writes VALUES (TG_TABLE_NAME, TG_OP); RETURN NULL; END $$;
    DO $$ DECLARE t text; BEGIN
      FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('test_row_writes', '_prisma_migrations') LOOP
        EXECUTE format('CREATE TRIGGER test_count_row_write AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION test_count_row_write()', t);
      END LOOP;
    END $$;`);
  return {
    async counts() {
      const r = await sql.query<{ tbl: string; n: number }>("SELECT tbl, count(*)::int AS n FROM test_row_writes GROUP BY tbl");
      return Object.fromEntries(r.rows.map((row) => [row.tbl, row.n]));
    },
  };
}
