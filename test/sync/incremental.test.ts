// Incremental runs: one request per source and no row written when nothing changed;
// new items at the head are picked up; nothing is ever marked deleted by absence.
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { SOURCES } from "../../src/sync/types.ts";
import { APP_ID, assertConverged, rowVersions, rowsWritten, runtimeFor, simulator } from "./harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const sim = await simulator();
const rt = runtimeFor(db, redis, sim, 3);
afterAll(async () => {
  await rt.close();
  await sim.close();
});

const listCalls = (): number => {
  const c = sim.counters().calls;
  return (c["/cgi-bin/freepublish/batchget"] ?? 0) + (c["/cgi-bin/material/batchget_material"] ?? 0);
};
const runAll = async (mode: "full" | "incremental") => {
  const out = [];
  for (const source of SOURCES) out.push(await rt.engine.run({ appId: APP_ID, source, mode, trigger: "schedule" }));
  return out;
};

describe("incremental sync", () => {
  it("costs one request per source and writes no row when nothing changed", async () => {
    await runAll("full");
    const before = await rowVersions(db.sql);
    sim.resetCounters();
    const results = await runAll("incremental");
    expect(listCalls()).toBe(SOURCES.length);
    expect(rowsWritten(before, await rowVersions(db.sql))).toBe(0);
    expect(results.map((r) => r.inserted + r.updated + r.markedDeleted)).toEqual(SOURCES.map(() => 0));
  });

  it("picks up new items at the head, more than a page of them, with few requests", async () => {
    sim.publish(27);
    sim.addMaterial("image", 2);
    sim.resetCounters();
    const results = await runAll("incremental");
    expect(results[0]!.inserted).toBe(27);
    expect(results[1]!.inserted).toBe(2);
    // published: 27 new need two pages, then the page with stored items ends the walk
    expect(sim.counters().calls["/cgi-bin/freepublish/batchget"]).toBe(2);
    await assertConverged(db.sql, sim, (a, b) => expect(a).toEqual(b));
  });

  it("never marks anything deleted by absence", async () => {
    const gone = sim.published()[30]!.article_id;
    sim.deleteArticle(gone);
    sim.publish(1);
    const results = await runAll("incremental");
    expect(results.reduce((n, r) => n + r.markedDeleted, 0)).toBe(0);
    const row = await db.sql.query("SELECT is_deleted FROM published_articles WHERE article_id = $1", [gone]);
    expect(row.rows[0].is_deleted).toBe(false);
    // the next full run notices it
    await runAll("full");
    await assertConverged(db.sql, sim, (a, b) => expect(a).toEqual(b));
  });
});
