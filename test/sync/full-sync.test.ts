// Full sync against the simulator over HTTP: field-for-field equality, no writes for
// unchanged rows, edits, deletions by absence and by news-item flags, restoration.
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { SOURCES } from "../../src/sync/types.ts";
import { APP_ID, assertConverged, rowVersions, rowsWritten, runtimeFor, simulator } from "./harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const sim = await simulator({
  seed: { seed: 11, published: 330, maxNewsItems: 5, contentBytes: 400, materials: { image: 85, video: 41, voice: 23, news: 37 } },
});
const rt = runtimeFor(db, redis, sim, 4);
afterAll(async () => {
  await rt.close();
  await sim.close();
});

const fullSync = async () => {
  const results = [];
  for (const source of SOURCES) results.push(await rt.engine.run({ appId: APP_ID, source, mode: "full", trigger: "manual" }));
  return results;
};

describe("full sync", () => {
  it("makes the tables equal to the simulator, field for field", async () => {
    const results = await fullSync();
    expect(results.map((r) => r.status)).toEqual(SOURCES.map(() => "succeeded"));
    expect(results.map((r) => r.consistencyNote)).toEqual(SOURCES.map(() => null));
    await assertConverged(db.sql, sim, (a, b) => expect(a).toEqual(b));
    const published = results[0]!;
    expect(published.inserted).toBe(330);
    // pages of 20, plus at most the one verification read of page 0
    expect(published.pages).toBeGreaterThanOrEqual(17);
    expect(published.pages).toBeLessThanOrEqual(18);
    const runs = await db.sql.query("SELECT source, status, pages, inserted, checkpoint FROM sync_runs ORDER BY id");
    expect(runs.rows).toHaveLength(5);
    expect(runs.rows.every((r) => r.status === "succeeded" && r.checkpoint === null)).toBe(true);
    const seen = await db.sql.query("SELECT count(*)::int AS n FROM sync_seen_keys");
    expect(seen.rows[0].n).toBe(0);
  });

  it("writes no row when nothing changed", async () => {
    const before = await rowVersions(db.sql);
    const results = await fullSync();
    expect(rowsWritten(before, await rowVersions(db.sql))).toBe(0);
    expect(results.reduce((n, r) => n + r.inserted + r.updated + r.markedDeleted, 0)).toBe(0);
  });

  it("follows edits, news-item deletions and vanished items, then converges", async () => {
    const arts = sim.published();
    const edited = arts[5]!.article_id;
    const itemDeleted = arts[40]!;
    const allDeleted = arts[41]!;
    const vanished = arts[200]!.article_id;
    sim.editArticle(edited, { title: "a new title" }, 0);
    sim.deleteNewsItem(itemDeleted.article_id, 0);
    allDeleted.news_item.forEach((_, i) => sim.deleteNewsItem(allDeleted.article_id, i));
    sim.deleteArticle(vanished);
    const img = sim.materials("image");
    sim.deleteMaterial(img[3]!.media_id);
    sim.editMaterial(img[10]!.media_id, { name: "renamed.png" });
    sim.editMaterial(sim.materials("news")[2]!.media_id);
    sim.publish(3);

    const before = await rowVersions(db.sql);
    const results = await fullSync();
    await assertConverged(db.sql, sim, (a, b) => expect(a).toEqual(b));
    const gone = await db.sql.query("SELECT is_deleted, deleted_at FROM published_articles WHERE article_id = $1", [vanished]);
    expect(gone.rows[0].is_deleted).toBe(true);
    expect(gone.rows[0].deleted_at).toBeInstanceOf(Date);
    const goneItems = await db.sql.query("SELECT bool_and(is_deleted) AS d FROM published_news_items WHERE article_id = $1", [vanished]);
    expect(goneItems.rows[0].d).toBe(true);
    const dead = await db.sql.query("SELECT is_deleted FROM published_articles WHERE article_id = $1", [allDeleted.article_id]);
    expect(dead.rows[0].is_deleted).toBe(true);
    expect(results[0]!.markedDeleted).toBe(1);
    expect(results[0]!.inserted).toBe(3);
    expect(results[1]!.markedDeleted).toBe(1);
    // only the changed rows were written: 3 new articles and their items, 3 edited/flagged articles, ...
    const written = rowsWritten(before, await rowVersions(db.sql));
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(60);
  });

  it("restores a row that comes back and never removes rows", async () => {
    const id = sim.published()[7]!.article_id;
    await db.sql.query("UPDATE published_articles SET is_deleted = true, deleted_at = now() WHERE article_id = $1", [id]);
    await db.sql.query("UPDATE published_news_items SET is_deleted = true, deleted_at = now() WHERE article_id = $1", [id]);
    const count = await db.sql.query("SELECT count(*)::int AS n FROM published_articles");
    const r = await rt.engine.run({ appId: APP_ID, source: "published", mode: "full", trigger: "manual" });
    expect(r.updated).toBe(1);
    await assertConverged(db.sql, sim, (a, b) => expect(a).toEqual(b));
    const row = await db.sql.query("SELECT is_deleted, deleted_at FROM published_articles WHERE article_id = $1", [id]);
    expect(row.rows[0]).toEqual({ is_deleted: false, deleted_at: null });
    const after = await db.sql.query("SELECT count(*)::int AS n FROM published_articles");
    expect(after.rows[0].n).toBe(count.rows[0].n);
  });

  it("the comparison notices a single wrong field (the equality above can fail)", async () => {
    const id = sim.published()[9]!.article_id;
    await db.sql.query("UPDATE published_news_items SET digest = digest || 'x' WHERE article_id = $1 AND idx = 0", [id]);
    await expect(assertConverged(db.sql, sim, (a, b) => expect(a).toEqual(b))).rejects.toThrow();
    await db.sql.query("UPDATE published_news_items SET digest = left(digest, -1) WHERE article_id = $1 AND idx = 0", [id]);
    await assertConverged(db.sql, sim, (a, b) => expect(a).toEqual(b));
  });

  it("reports progress after every committed page", async () => {
    sim.publish(1);
    const seen: number[] = [];
    await rt.engine.run({ appId: APP_ID, source: "material:video", mode: "full", trigger: "manual", onProgress: (p) => seen.push(p.pages) });
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it("a finished full walk also removes the seen keys of an abandoned walk of its source", async () => {
    const acc = await db.sql.query("SELECT id FROM accounts");
    const accountId = acc.rows[0].id as number;
    // an older walk of material:voice that died and was never resumed, and one of another source
    const old = await db.sql.query(
      "INSERT INTO sync_runs (account_id, source, mode, trigger, status) VALUES ($1, 'material:voice', 'full', 'manual', 'failed'), ($1, 'material:video', 'full', 'manual', 'failed') RETURNING id",
      [accountId],
    );
    const [voiceWalk, videoWalk] = old.rows.map((r) => r.id as string);
    await db.sql.query("INSERT INTO sync_seen_keys (walk_id, item_key) VALUES ($1, 'stale-a'), ($1, 'stale-b'), ($2, 'other-source')", [voiceWalk, videoWalk]);
    await rt.engine.run({ appId: APP_ID, source: "material:voice", mode: "full", trigger: "manual" });
    const left = await db.sql.query("SELECT walk_id::text AS walk, item_key FROM sync_seen_keys ORDER BY item_key");
    expect(left.rows).toEqual([{ walk: videoWalk, item_key: "other-source" }]);
    await db.sql.query("DELETE FROM sync_seen_keys");
  });
});
