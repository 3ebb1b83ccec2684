// The benchmark's databases: a template migrated once per run, a fresh clone for every
// sync that starts from nothing, all named mpsync_bench_<run id>_<label> on the server
// of DATABASE_URL and dropped at the end (bench/cleanup.ts also drops any a failure or
// Ctrl-C left). The database DATABASE_URL names is never used.
// Also the row counting (pg_stat_user_tables) and the checks of what was stored.
import pg from "pg";
import { withDatabase } from "../src/config/database.ts";
import { applyMigrations } from "../src/store/migrations.ts";

/** The tables that hold what WeChat sent; every other table of the schema is bookkeeping. */
export const CONTENT_TABLES = ["published_articles", "published_news_items", "materials", "material_news_items"] as const;
const isContentTable = (t: string): boolean => (CONTENT_TABLES as readonly string[]).includes(t);

export type TableWrites = Record<string, Writes>;

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, application_name: "mpsync-bench" });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export class BenchDatabases {
  private template: string | undefined;

  constructor(
    private readonly serverUrl: string,
    readonly runId: string,
  ) {}

  private admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    return withClient(withDatabase(this.serverUrl, "postgres"), fn);
  }

  urlOf(name: string): string {
    return withDatabase(this.serverUrl, name);
  }

  /** Creates and migrates the template once (applyMigrations, the same path as `mpsync migrate`). */
  async prepareTemplate(): Promise<void> {
    const name = `mpsync_bench_${this.runId}_tpl`;
    await this.admin((c) => c.query(`CREATE DATABASE ${quote(name)}`));
    await applyMigrations(this.urlOf(name));
    this.template = name;
  }

  /** A fresh, migrated, empty database (a clone of the template). */
  async fresh(label: string): Promise<{ name: string; url: string }> {
    if (!this.template) throw new Error("prepareTemplate() first");
    const name = `mpsync_bench_${this.runId}_${label}`;
    await this.admin((c) => c.query(`CREATE DATABASE ${quote(name)} TEMPLATE ${quote(this.template!)}`));
    return { name, url: this.urlOf(name) };
  }

  async drop(name: string): Promise<void> {
    await this.admin((c) => c.query(`DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Tuples inserted, updated and deleted per table since the database was created, from
 * pg_stat_user_tables. A backend reports its counts at transaction end (at most once a
 * second) and when it exits; the syncing process has exited before this is called, so
 * we wait until no other session is connected and the counts stop moving.
 */
export async function tableWrites(url: string): Promise<TableWrites> {
  return withClient(url, async (c) => {
    for (let i = 0; i < 100; i++) {
      const r = await c.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
      if (Number(r.rows[0]?.n ?? 0) === 0) break;
      await sleep(100);
    }
    let prev = "";
    let out: TableWrites = {};
    for (let i = 0; i < 20; i++) {
      await c.query(`SELECT pg_stat_clear_snapshot()`);
      const r = await c.query<{ relname: string; ins: string; upd: string; del: string }>(
        // every table of the schema: a table a later migration adds is counted without a change here
        `SELECT relname, n_tup_ins AS ins, n_tup_upd AS upd, n_tup_del AS del FROM pg_stat_user_tables WHERE schemaname = 'public' ORDER BY relname`,
      );
      out = {};
      for (const row of r.rows) out[row.relname] = { ins: Number(row.ins), upd: Number(row.upd), del: Number(row.del) };
      const key = JSON.stringify(out);
      if (key === prev) break;
      prev = key;
      await sleep(250);
    }
    return out;
  });
}

export interface Writes {
  ins: number;
  upd: number;
  del: number;
}

export interface WriteDelta {
  /** rows inserted + updated + deleted in the four content tables */
  content: number;
  contentInserted: number;
  contentUpdated: number;
  /**
   * rows inserted + updated + deleted in every other table of the schema (accounts,
   * sync_runs, sync_seen_keys, content_changes, held_deletions, ... as pg_stat_user_tables
   * lists them); rows written and deleted again count twice
   */
  bookkeeping: number;
  bookkeepingWrites: Writes;
  /** tables with at least one write */
  perTable: Record<string, Writes>;
}

const sumOf = (w: Writes): number => w.ins + w.upd + w.del;

export function writeDelta(before: TableWrites, after: TableWrites): WriteDelta {
  const perTable: Record<string, Writes> = {};
  let contentInserted = 0;
  let contentUpdated = 0;
  let content = 0;
  const bookkeepingWrites: Writes = { ins: 0, upd: 0, del: 0 };
  const zero: Writes = { ins: 0, upd: 0, del: 0 };
  for (const t of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = after[t] ?? zero;
    const b = before[t] ?? zero;
    const d = { ins: a.ins - b.ins, upd: a.upd - b.upd, del: a.del - b.del };
    if (sumOf(d) === 0) continue;
    perTable[t] = d;
    if (isContentTable(t)) {
      content += sumOf(d);
      contentInserted += d.ins;
      contentUpdated += d.upd;
    } else {
      bookkeepingWrites.ins += d.ins;
      bookkeepingWrites.upd += d.upd;
      bookkeepingWrites.del += d.del;
    }
  }
  return { content, contentInserted, contentUpdated, bookkeeping: sumOf(bookkeepingWrites), bookkeepingWrites, perTable };
}

/** Bytes of HTML bodies stored (octet_length of news items' content). */
export async function contentBytes(url: string): Promise<number> {
  return withClient(url, async (c) => {
    const r = await c.query<{ n: string }>(
      `SELECT (SELECT coalesce(sum(octet_length(content)), 0) FROM published_news_items)
            + (SELECT coalesce(sum(octet_length(content)), 0) FROM material_news_items) AS n`,
    );
    return Number(r.rows[0]?.n ?? 0);
  });
}

export interface SimSummary {
  published: { article_id: string; deleted: boolean[] }[];
  materials: Record<string, { media_id: string }[]>;
}

export interface Verification {
  ok: boolean;
  /** live on WeChat, missing or flagged deleted in the store */
  missing: number;
  /** live in the store, gone on WeChat */
  stale: number;
}

/** Compares the store's live articles and materials with the simulator's lists. */
export async function verifyStore(url: string, sim: SimSummary): Promise<Verification> {
  return withClient(url, async (c) => {
    const arts = await c.query<{ k: string }>(`SELECT article_id AS k FROM published_articles WHERE NOT is_deleted`);
    const mats = await c.query<{ k: string }>(`SELECT media_id AS k FROM materials WHERE NOT is_deleted`);
    const stored = new Set([...arts.rows, ...mats.rows].map((r) => r.k));
    const wanted = new Set<string>();
    // an article whose news items are all deleted counts as deleted (README, published_articles)
    for (const a of sim.published) if (!a.deleted.every(Boolean)) wanted.add(a.article_id);
    for (const list of Object.values(sim.materials)) for (const m of list) wanted.add(m.media_id);
    let missing = 0;
    for (const k of wanted) if (!stored.has(k)) missing++;
    let stale = 0;
    for (const k of stored) if (!wanted.has(k)) stale++;
    return { ok: missing === 0 && stale === 0, missing, stale };
  });
}
