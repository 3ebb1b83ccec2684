// A full walk's bookkeeping (issue 15): one page row per committed batch (sync_walk_pages)
// holds the keys, the checkpoint and the counters; the run row gets them at most once a
// second and whenever the run ends. So an unchanged store costs at most one bookkeeping
// row per page, a walk that dies or is stopped resumes and marks exactly the absent rows,
// and slots left by an earlier, longer walk never count as seen.
import { describe, expect, it } from "vitest";
import { createSyncEngine } from "../../src/sync/engine.ts";
import { createSyncStore, type SyncStore } from "../../src/store/sync-store.ts";
import { SyncAbortedError } from "../../src/sync/errors.ts";
import { SOURCES, type Source, type SyncRequest } from "../../src/sync/types.ts";
import { APP_ID, assertConverged, freshSyncEnv, trackWrites } from "./harness.ts";

const env = freshSyncEnv({
  sim: { seed: { seed: 21, published: 400, maxNewsItems: 2, contentBytes: 100, materials: { image: 90, video: 5, voice: 5, news: 5 } } },
  concurrency: 4,
});

const CONTENT_TABLES = ["published_articles", "published_news_items", "materials", "material_news_items", "content_changes"];
const full = (source: Source, extra: Pick<SyncRequest, "signal" | "onProgress"> = {}) =>
  env.rt.engine.run({ appId: APP_ID, source, mode: "full", trigger: "manual", ...extra });
/** The store equals WeChat once the materials are synced too (these tests walk `published`). */
async function converged(): Promise<void> {
  for (const source of SOURCES.filter((s) => s !== "published")) await full(source);
  await assertConverged(env.db.sql, env.sim, (a, b) => expect(a).toEqual(b));
}

type RunRow = { id: string; status: string; pages: number; items_seen: number; checkpoint: unknown; finished_at: Date | null; error_message: string | null };
const runRows = async (): Promise<RunRow[]> =>
  (await env.db.sql.query("SELECT id::text, status, pages, items_seen, checkpoint, finished_at, error_message FROM sync_runs WHERE source = 'published' ORDER BY id")).rows;
/** The newest page row a run wrote. */
const newestPage = async (runId: string) =>
  (
    await env.db.sql.query<{ seq: number; checkpoint: { scan: { nextOffset: number } }; counters: Record<string, number>; written_at: Date }>(
      "SELECT seq, checkpoint, counters, written_at FROM sync_walk_pages WHERE run_id = $1 ORDER BY seq DESC LIMIT 1",
      [runId],
    )
  ).rows[0]!;
/** Rows marked deleted that WeChat no longer lists (converged() checks the listed ones, flags included). */
const deletedArticles = async (): Promise<string[]> => {
  const listed = new Set(env.sim.published().map((a) => a.article_id));
  const rows = await env.db.sql.query("SELECT article_id FROM published_articles WHERE is_deleted ORDER BY article_id");
  return rows.rows.map((r) => r.article_id as string).filter((id) => !listed.has(id));
};

/** After a first full sync, three articles vanish from WeChat (top, middle, end of the list). */
async function threeVanish(): Promise<string[]> {
  await full("published");
  const ids = [10, 200, 390].map((i) => env.sim.published()[i]!.article_id);
  for (const id of ids) env.sim.deleteArticle(id);
  return ids.sort();
}

/** Runs the resuming walk, noting the offsets it asks for. */
async function resume() {
  const offsets: number[] = [];
  env.sim.onRequest((req) => void offsets.push(Number(req.body.offset)));
  try {
    return { result: await full("published"), offsets };
  } finally {
    env.sim.onRequest(undefined);
  }
}

describe("a full walk's page rows", () => {
  it("an unchanged store: no content row, at most one bookkeeping row per page (one page row per batch, two run-row writes)", async () => {
    for (const source of SOURCES) await full(source);
    // with some latency, pages asked for together arrive together and are committed as one batch
    env.sim.setFaults({ latencyMs: 30 });
    const writes = await trackWrites(env.db.sql);
    const started = performance.now();
    const published = await full("published");
    const seconds = Math.floor((performance.now() - started) / 1000);
    const counts = await writes.counts();
    expect(published).toMatchObject({ status: "succeeded", pages: 20, inserted: 0, updated: 0, markedDeleted: 0, itemsSeen: 400 });
    const [content, bookkeeping] = [CONTENT_TABLES, Object.keys(counts).filter((t) => !CONTENT_TABLES.includes(t))].map((ts) => ts.reduce((n, t) => n + (counts[t] ?? 0), 0));
    expect(content).toBe(0);
    expect(bookkeeping).toBeLessThanOrEqual(published.pages);
    // one page row per committed batch; the run row inserted, finished, and saved for display at most once a second
    expect(Object.keys(counts).sort()).toEqual(["sync_runs", "sync_walk_pages"]);
    expect(counts.sync_walk_pages).toBeLessThanOrEqual(published.pages + published.verificationReads);
    expect(counts.sync_runs).toBeLessThanOrEqual(2 + seconds);

    // all five sources: still nothing but page rows and run rows
    const before = await writes.counts();
    const t0 = performance.now();
    const results = [];
    for (const source of SOURCES) results.push(await full(source));
    const secs = Math.floor((performance.now() - t0) / 1000);
    const after = await writes.counts();
    for (const t of CONTENT_TABLES) expect(after[t] ?? 0, t).toBe(0);
    expect(Object.keys(after).sort()).toEqual(["sync_runs", "sync_walk_pages"]);
    expect(after.sync_walk_pages! - before.sync_walk_pages!).toBeLessThanOrEqual(results.reduce((n, r) => n + r.pages + r.verificationReads, 0));
    expect(after.sync_runs! - before.sync_runs!).toBeLessThanOrEqual(results.length * (2 + secs));
  });

  it("a walk whose process died mid-way (run row left running): the next run takes the newest page's checkpoint and counters, resumes there, and marks exactly the absent rows", async () => {
    const vanished = await threeVanish();
    // a store whose database goes away after three batches: the failure cannot be recorded either
    const real = createSyncStore(env.rt.prisma, env.db.url);
    let batches = 0;
    const gone = (): never => {
      throw new Error("database gone (test)");
    };
    const dying: SyncStore = {
      ...real,
      writePage: async (w) => (++batches > 3 ? gone() : real.writePage(w)),
      failRun: async () => gone(),
      pauseRun: async () => gone(),
    };
    const engine = createSyncEngine({ store: dying, accounts: env.rt.config.accounts, clientFor: env.rt.clientFor, logger: env.rt.logger });
    await expect(engine.run({ appId: APP_ID, source: "published", mode: "full", trigger: "manual" })).rejects.toThrow(/database gone/);
    const [, dead] = await runRows();
    expect(dead!.status).toBe("running");
    const page = await newestPage(dead!.id);
    expect(page.seq).toBe(3);

    const { result, offsets } = await resume();
    expect(result).toMatchObject({ status: "succeeded", runs: 2, markedDeleted: 3, itemsSeen: 397, inserted: 0 });
    // started where the dead run's newest page left off; below it only the check of page 0
    const resumeAt = page.checkpoint.scan.nextOffset;
    expect(resumeAt).toBeGreaterThanOrEqual(60);
    expect(Math.min(...offsets.slice(0, 4))).toBe(resumeAt);
    expect(offsets.filter((o) => o < resumeAt)).toEqual(offsets.includes(0) ? [0] : []);
    const [, closed, done] = await runRows();
    expect(closed).toMatchObject({ status: "interrupted", pages: page.counters.pages, items_seen: page.counters.items_seen, checkpoint: null });
    expect(closed!.error_message).toMatch(/^process ended; resumed by run \d+$/);
    expect(closed!.finished_at).toEqual(page.written_at);
    expect(done!.status).toBe("succeeded");
    expect(await deletedArticles()).toEqual(vanished);
    await converged();
  });

  it("a walk stopped on request: its run row ends with the newest page's checkpoint and counters; the next run marks exactly the absent rows", async () => {
    const vanished = await threeVanish();
    const stop = new AbortController();
    const stopped = full("published", { signal: stop.signal, onProgress: (p) => void (p.pages >= 5 && stop.abort()) });
    await expect(stopped).rejects.toBeInstanceOf(SyncAbortedError);
    const [, run] = await runRows();
    const page = await newestPage(run!.id);
    expect(run).toMatchObject({ status: "interrupted", pages: page.counters.pages, items_seen: page.counters.items_seen, checkpoint: page.checkpoint });

    const { result, offsets } = await resume();
    expect(Math.min(...offsets.slice(0, 4))).toBe(page.checkpoint.scan.nextOffset);
    expect(result).toMatchObject({ status: "succeeded", runs: 2, markedDeleted: 3, itemsSeen: 397 });
    expect(await deletedArticles()).toEqual(vanished);
    await converged();
  });

  it("slots of an earlier, longer walk are stale: their keys do not count as seen, and they stay as they are", async () => {
    await full("published");
    const [first] = await runRows();
    const acc = await env.db.sql.query("SELECT id FROM accounts");
    // the earlier walk had more slots than the next one will write; one of them saw this article
    const gone = env.sim.published()[123]!.article_id;
    await env.db.sql.query(
      `INSERT INTO sync_walk_pages (account_id, source, seq, walk_id, run_id, keys, checkpoint, counters)
       VALUES ($1, 'published', 500, $2, $2, ARRAY[$3], '{}', '{}')`,
      [acc.rows[0].id, first!.id, gone],
    );
    env.sim.deleteArticle(gone);
    const r = await full("published");
    expect(r).toMatchObject({ status: "succeeded", markedDeleted: 1, itemsSeen: 399 });
    expect(await deletedArticles()).toEqual([gone]);
    const slots = await env.db.sql.query("SELECT seq, walk_id::text AS walk FROM sync_walk_pages WHERE source = 'published' ORDER BY seq");
    // the new walk took the low slots over, from 1 on; slot 500 still names the earlier walk
    const mine = slots.rows.filter((s) => s.walk === r.runId).map((s) => s.seq);
    expect(mine).toEqual(mine.map((_, i) => i + 1));
    expect(slots.rows.at(-1)).toEqual({ seq: 500, walk: first!.id });
    await converged();
  });
});
