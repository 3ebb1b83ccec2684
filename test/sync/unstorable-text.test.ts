// A NUL character (or a lone surrogate) in any field never stops a source: the text is
// stored without it, the run counts what it removed (sync_runs.removed_chars), and the
// content hash, taken from what WeChat sent, still tells a real change from none.
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { APP_ID, runtimeFor, simulator } from "./harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const sim = await simulator({ seed: { seed: 11, published: 6, maxNewsItems: 2, contentBytes: 200, materials: { image: 3, video: 0, voice: 0, news: 1 } } });
const rt = runtimeFor(db, redis, sim, 2);
afterAll(async () => {
  await rt.close();
  await sim.close();
});

const run = (source: "published" | "material:image", mode: "full" | "incremental") => rt.engine.run({ appId: APP_ID, source, mode, trigger: "manual" });
const removedChars = async (runId: string) => (await db.sql.query("SELECT removed_chars FROM sync_runs WHERE id = $1", [runId])).rows[0].removed_chars as number;

describe("text Postgres cannot store", () => {
  it("a NUL in title and body (and a lone surrogate) is removed, the item stored, the run counts it: incremental, then full", async () => {
    await run("published", "full");
    const target = sim.published()[0]!.article_id;
    sim.editArticle(target, { title: "碳中\u0000和", author: "小\u0000编", digest: "摘\ud800要", content: "<p>一\u0000二</p><p>三\u0000</p>" }, 0);

    const inc = await run("published", "incremental");
    expect(inc).toMatchObject({ status: "succeeded", updated: 1, removedChars: 5 });
    expect(await removedChars(inc.runId)).toBe(5);
    const row = (await db.sql.query("SELECT title, author, digest, content FROM published_news_items WHERE article_id = $1 AND idx = 0", [target])).rows[0];
    expect(row).toEqual({ title: "碳中和", author: "小编", digest: "摘要", content: "<p>一二</p><p>三</p>" });

    // the same content again is no change: nothing written, nothing counted
    const again = await run("published", "incremental");
    expect(again).toMatchObject({ status: "succeeded", updated: 0, inserted: 0, removedChars: 0 });

    // a real change that differs only where the NUL was is still a change
    sim.editArticle(target, { title: "碳中和\u0000", author: "小\u0000编", digest: "摘\ud800要", content: "<p>一\u0000二</p><p>三\u0000</p>" }, 0);
    const changed = await run("published", "incremental");
    expect(changed).toMatchObject({ status: "succeeded", updated: 1, removedChars: 5 });

    const full = await run("published", "full");
    expect(full).toMatchObject({ status: "succeeded", markedDeleted: 0 });
    const stored = (await db.sql.query("SELECT count(*)::int AS n FROM published_articles WHERE NOT is_deleted")).rows[0].n;
    expect(stored).toBe(sim.published().length);
  });

  it("a material whose name holds a NUL is stored too, in a full run", async () => {
    const image = sim.materials("image")[0]!;
    sim.editMaterial(image.media_id, { name: "海报\u0000.jpg" });
    const full = await run("material:image", "full");
    expect(full).toMatchObject({ status: "succeeded", removedChars: 1 });
    const row = (await db.sql.query("SELECT name FROM materials WHERE media_id = $1", [image.media_id])).rows[0];
    expect(row.name).toBe("海报.jpg");
  });
});
