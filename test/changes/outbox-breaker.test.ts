// Deleted events follow the deletion circuit breaker: held deletions produce none; the
// deletions applied, by the next consistent full walk or by `mpsync deletions apply`
// (its own transaction, no run), produce exactly one each.
import { afterAll, describe, expect, it } from "vitest";
import { createSyncStore } from "../../src/store/sync-store.ts";
import { applyHeldDeletions } from "../../src/sync/held-deletions.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { APP_ID, runtimeFor, simulator } from "../sync/harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const sim = await simulator({ seed: { seed: 5, published: 60, maxNewsItems: 2, contentBytes: 100, materials: { image: 1, video: 0, voice: 0, news: 0 } } });
const rt = runtimeFor(db, redis, sim, 2);
afterAll(async () => {
  await rt.close();
  await sim.close();
});

const full = () => rt.engine.run({ appId: APP_ID, source: "published", mode: "full", trigger: "manual" });
async function deletedEvents(): Promise<{ item_key: string; run_id: string | null }[]> {
  return (await db.sql.query(`SELECT item_key, run_id::text FROM content_changes WHERE type = 'article.deleted' ORDER BY id`)).rows;
}

describe("deleted events and the deletion circuit breaker", () => {
  it("held deletions write no event; applying them writes one each", async () => {
    await full();
    const victims = sim.published().slice(5, 20).map((a) => a.article_id);
    for (const id of victims) sim.deleteArticle(id);
    const r = await full();
    expect(r.deletionsHeld).toBe(15);
    expect(await deletedEvents()).toEqual([]);

    const applied = await applyHeldDeletions(createSyncStore(rt.prisma, db.url), { appIds: [APP_ID], source: "published" });
    expect(applied.map((a) => a.applied)).toEqual([15]);
    const events = await deletedEvents();
    expect(events.map((e) => e.item_key).sort()).toEqual([...victims].sort());
    expect(events.every((e) => e.run_id === null)).toBe(true);
    // applying again changes nothing and reports nothing
    await applyHeldDeletions(createSyncStore(rt.prisma, db.url), { appIds: [APP_ID], source: "published" });
    await full();
    expect(await deletedEvents()).toHaveLength(15);
  });

  it("held deletions confirmed by the next full walk are reported by that run", async () => {
    const victims = sim.published().slice(0, 12).map((a) => a.article_id);
    for (const id of victims) sim.deleteArticle(id);
    const held = await full();
    expect(held.deletionsHeld).toBe(12);
    const before = (await deletedEvents()).length;
    const confirm = await full();
    expect(confirm.markedDeleted).toBe(12);
    const events = (await deletedEvents()).slice(before);
    expect(events.map((e) => e.item_key).sort()).toEqual([...victims].sort());
    expect(new Set(events.map((e) => e.run_id))).toEqual(new Set([confirm.runId]));
  });
});
