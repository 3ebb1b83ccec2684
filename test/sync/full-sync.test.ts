// Full sync against the simulator over HTTP: field-for-field equality, no writes for
// unchanged rows, edits, deletions by absence and by news-item flags, restoration.
// Every test starts from an empty database and a fresh simulator (freshSyncEnv).
import { describe, expect, it } from "vitest";
import { createSyncEngine } from "../../src/sync/engine.ts";
import { createSyncStore, type SyncStore } from "../../src/store/sync-store.ts";
import { SOURCES } from "../../src/sync/types.ts";
import { APP_ID, assertConverged, freshSyncEnv, rowVersions, rowsWritten } from "./harness.ts";

const env = freshSyncEnv({
  sim: { seed: { seed: 11, published: 330, maxNewsItems: 5, contentBytes: 400, materials: { image: 85, video: 41, voice: 23, news: 37 } } },
  concurrency: 4,
});

const fullSync = async () => {
  const results = [];
  for (const source of SOURCES) results.push(await env.rt.engine.run({ appId: APP_ID, source, mode: "full", trigger: "manual" }));
  return results;
};
const converged = () => assertConverged(env.db.sql, env.sim, (a, b) => expect(a).toEqual(b));

describe("full sync", () => {
  it("makes the tables equal to the simulator, field for field", async () => {
    const results = await fullSync();
    expect(results.map((r) => r.status)).toEqual(SOURCES.map(() => "succeeded"));
    expect(results.map((r) => r.consistencyNote)).toEqual(SOURCES.map(() => null));
    await converged();
    const published = results[0]!;
    expect(published.inserted).toBe(330);
    // pages of 20, plus at most the one verification read of page 0
    expect(published.pages).toBeGreaterThanOrEqual(17);
    expect(published.pages).toBeLessThanOrEqual(18);
    const runs = await env.db.sql.query("SELECT source, status, pages, inserted, checkpoint FROM sync_runs ORDER BY id");
    expect(runs.rows).toHaveLength(5);
    expect(runs.rows.every((r) => r.status === "succeeded" && r.checkpoint === null)).toBe(true);
    // the walk's page rows stay (the next walk of the source overwrites them): one per
    // committed batch, numbered from 1, holding every key once
    const slots = await env.db.sql.query(
      "SELECT count(*)::int AS n, max(seq) AS last, count(DISTINCT walk_id)::int AS walks, sum(cardinality(keys))::int AS keys FROM sync_walk_pages WHERE source = 'published'",
    );
    expect(slots.rows[0]).toMatchObject({ walks: 1, keys: 330 });
    expect(slots.rows[0].last).toBe(slots.rows[0].n);
    expect(slots.rows[0].n).toBeLessThanOrEqual(published.pages + published.verificationReads);
  });

  it("writes no row when nothing changed", async () => {
    await fullSync();
    const before = await rowVersions(env.db.sql);
    const results = await fullSync();
    expect(rowsWritten(before, await rowVersions(env.db.sql))).toBe(0);
    expect(results.reduce((n, r) => n + r.inserted + r.updated + r.markedDeleted, 0)).toBe(0);
  });

  it("follows edits, news-item deletions and vanished items, then converges", async () => {
    await fullSync();
    const arts = env.sim.published();
    const edited = arts[5]!.article_id;
    const itemDeleted = arts[40]!;
    const allDeleted = arts[41]!;
    const vanished = arts[200]!.article_id;
    env.sim.editArticle(edited, { title: "a new title" }, 0);
    env.sim.deleteNewsItem(itemDeleted.article_id, 0);
    allDeleted.news_item.forEach((_, i) => env.sim.deleteNewsItem(allDeleted.article_id, i));
    env.sim.deleteArticle(vanished);
    const img = env.sim.materials("image");
    env.sim.deleteMaterial(img[3]!.media_id);
    env.sim.editMaterial(img[10]!.media_id, { name: "renamed.png" });
    env.sim.editMaterial(env.sim.materials("news")[2]!.media_id);
    env.sim.publish(3);

    const before = await rowVersions(env.db.sql);
    const results = await fullSync();
    await converged();
    const gone = await env.db.sql.query("SELECT is_deleted, deleted_at FROM published_articles WHERE article_id = $1", [vanished]);
    expect(gone.rows[0].is_deleted).toBe(true);
    expect(gone.rows[0].deleted_at).toBeInstanceOf(Date);
    const goneItems = await env.db.sql.query("SELECT bool_and(is_deleted) AS d FROM published_news_items WHERE article_id = $1", [vanished]);
    expect(goneItems.rows[0].d).toBe(true);
    const dead = await env.db.sql.query("SELECT is_deleted FROM published_articles WHERE article_id = $1", [allDeleted.article_id]);
    expect(dead.rows[0].is_deleted).toBe(true);
    expect(results[0]!.markedDeleted).toBe(1);
    expect(results[0]!.inserted).toBe(3);
    expect(results[1]!.markedDeleted).toBe(1);
    // only the changed rows were written: 3 new articles and their items, 3 edited/flagged articles, ...
    const written = rowsWritten(before, await rowVersions(env.db.sql));
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(60);
  });

  it("restores a row that comes back and never removes rows", async () => {
    await fullSync();
    const id = env.sim.published()[7]!.article_id;
    await env.db.sql.query("UPDATE published_articles SET is_deleted = true, deleted_at = now() WHERE article_id = $1", [id]);
    await env.db.sql.query("UPDATE published_news_items SET is_deleted = true, deleted_at = now() WHERE article_id = $1", [id]);
    const count = await env.db.sql.query("SELECT count(*)::int AS n FROM published_articles");
    const r = await env.rt.engine.run({ appId: APP_ID, source: "published", mode: "full", trigger: "manual" });
    expect(r.updated).toBe(1);
    await converged();
    const row = await env.db.sql.query("SELECT is_deleted, deleted_at FROM published_articles WHERE article_id = $1", [id]);
    expect(row.rows[0]).toEqual({ is_deleted: false, deleted_at: null });
    const after = await env.db.sql.query("SELECT count(*)::int AS n FROM published_articles");
    expect(after.rows[0].n).toBe(count.rows[0].n);
  });

  it("the comparison notices a single wrong field (the equality above can fail)", async () => {
    await fullSync();
    await converged();
    const id = env.sim.published()[9]!.article_id;
    await env.db.sql.query("UPDATE published_news_items SET digest = digest || 'x' WHERE article_id = $1 AND idx = 0", [id]);
    await expect(converged()).rejects.toThrow(expect.objectContaining({ name: "AssertionError" }));
    await env.db.sql.query("UPDATE published_news_items SET digest = left(digest, -1) WHERE article_id = $1 AND idx = 0", [id]);
    await converged();
  });

  it("leaves the search columns NULL while SEARCH_INDEX is off (the default), and an edit made while off clears a vector", async () => {
    const searchCounts = async () =>
      (
        await env.db.sql.query(
          `SELECT (SELECT count(*) FROM published_news_items WHERE search IS NOT NULL OR search_head IS NOT NULL)::int AS published,
                  (SELECT count(*) FROM material_news_items WHERE search IS NOT NULL OR search_head IS NOT NULL)::int AS material,
                  (SELECT count(*) FROM published_news_items)::int AS items`,
        )
      ).rows[0];
    await fullSync(); // env.rt: a configuration without `search`, as SEARCH_INDEX unset
    const off = await searchCounts();
    expect(off.items).toBeGreaterThan(0);
    expect(off).toMatchObject({ published: 0, material: 0 });
    // on: a sync writes them for the rows it writes (here the one edited)
    const on = createSyncEngine({ store: createSyncStore(env.rt.prisma, env.db.url, { searchIndex: true }), accounts: env.rt.config.accounts, clientFor: env.rt.clientFor, logger: env.rt.logger });
    const edited = env.sim.published()[5]!.article_id;
    const indexed = async () => (await env.db.sql.query(`SELECT search IS NOT NULL AND search_head IS NOT NULL AS v FROM published_news_items WHERE article_id = $1 AND idx = 0`, [edited])).rows[0].v;
    env.sim.editArticle(edited, { title: "春天的新标题" }, 0);
    await on.run({ appId: APP_ID, source: "published", mode: "full", trigger: "manual" });
    expect(await indexed()).toBe(true);
    expect((await searchCounts()).published).toBe(1);
    // off again: an edited row's vector goes, so it is not found by words it no longer holds
    env.sim.editArticle(edited, { title: "秋天的新标题" }, 0);
    await env.rt.engine.run({ appId: APP_ID, source: "published", mode: "full", trigger: "manual" });
    expect(await indexed()).toBe(false);
    expect((await searchCounts()).published).toBe(0);
  });

  it("reports progress after every committed page, with the counters just committed", async () => {
    // the real store, observed: each commit is logged once it has returned
    const real = createSyncStore(env.rt.prisma, env.db.url);
    const events: { at: "commit" | "progress"; pages: number; verificationReads: number; inserted: number; apiCalls: number }[] = [];
    const store: SyncStore = {
      ...real,
      async writePage(w) {
        await real.writePage(w);
        events.push({ at: "commit", pages: w.counters.pages, verificationReads: w.counters.verificationReads, inserted: w.counters.inserted, apiCalls: w.counters.apiCalls });
      },
    };
    const engine = createSyncEngine({ store, accounts: env.rt.config.accounts, clientFor: env.rt.clientFor, logger: env.rt.logger });
    const result = await engine.run({
      appId: APP_ID,
      source: "published",
      mode: "full",
      trigger: "manual",
      onProgress: (p) => events.push({ at: "progress", pages: p.pages, verificationReads: p.verificationReads, inserted: p.inserted, apiCalls: p.apiCalls }),
    });
    // expected: every commit that added pages (or a verification re-read) is followed at once
    // by one report of exactly its counters; a checkpoint-only save (no page) reports nothing
    const expected: typeof events = [];
    let reads = 0;
    for (const c of events.filter((e) => e.at === "commit")) {
      expected.push(c);
      if (c.pages + c.verificationReads > reads) expected.push({ ...c, at: "progress" });
      reads = c.pages + c.verificationReads;
    }
    expect(events).toEqual(expected);
    expect(events.filter((e) => e.at === "progress").length).toBeGreaterThanOrEqual(Math.ceil(330 / 20 / 4));
    expect(events.at(-1)).toEqual({ at: "progress", pages: result.pages, verificationReads: result.verificationReads, inserted: result.inserted, apiCalls: result.apiCalls });
  });

  it("a walk begun before the upgrade to page rows (checkpoint v1, its seen keys gone) starts over and marks nothing wrongly", async () => {
    await env.rt.engine.run({ appId: APP_ID, source: "material:voice", mode: "full", trigger: "manual" }); // the account row and the 23 voices
    const acc = await env.db.sql.query("SELECT id FROM accounts");
    const scan = { nextOffset: 20, t0: 23, headKey: null, prevTotal: 23, maxTotal: 23, shrink: false, overlapped: false };
    const old = await env.db.sql.query(
      `INSERT INTO sync_runs (account_id, source, mode, trigger, status, checkpoint) VALUES ($1, 'material:voice', 'full', 'manual', 'interrupted', $2) RETURNING id`,
      [acc.rows[0].id, { v: 1, mode: "full", walkId: "999999", phase: "scan", scan, repair: null, consistent: null, note: null }],
    );
    const offsets: number[] = [];
    env.sim.onRequest((req) => void offsets.push(Number(req.body.offset)));
    const r = await env.rt.engine.run({ appId: APP_ID, source: "material:voice", mode: "full", trigger: "manual" });
    env.sim.onRequest(undefined);
    expect(offsets[0]).toBe(0);
    expect(r).toMatchObject({ status: "succeeded", itemsSeen: 23, markedDeleted: 0, deletionsHeld: 0 });
    const left = await env.db.sql.query("SELECT count(*)::int AS n FROM sync_runs WHERE checkpoint IS NOT NULL");
    expect(left.rows[0].n).toBe(0);
    const taken = await env.db.sql.query("SELECT error_message FROM sync_runs WHERE id = $1", [old.rows[0].id]);
    expect(taken.rows[0].error_message).toMatch(/^interrupted; resumed by run \d+$/);
    const voices = await env.db.sql.query("SELECT count(*)::int AS n, count(*) FILTER (WHERE is_deleted)::int AS deleted FROM materials WHERE type = 'voice'");
    expect(voices.rows[0]).toEqual({ n: 23, deleted: 0 });
  });
});
