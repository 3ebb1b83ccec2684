// Issue 9, cases 1 and 2: answers that contradict the truth never delete or revive data.
// Against the simulator over HTTP, which gives each bad answer WeChat has given:
// - {"total_count":0,"item_count":0,"item":[]} for a full walk with live rows stored is read
//   twice; a confirmed empty list trips the deletion circuit breaker: nothing deleted, held.
// - {"total_count":0,"item_count":0} (no item), the true total with empty pages, items
//   without content or with news_item: [] are malformed: retried, then the run fails
//   naming the field; nothing is written from them.
// - A real mass deletion is held once and applied by the confirming walk; small ones at once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { ContradictoryResponseError } from "../../src/wechat/contradiction.ts";
import { TransientError } from "../../src/wechat/errors.ts";
import { decideFailure } from "../../jobs/retry-policy.ts";
import { decideAbsences } from "../../src/sync/deletion-breaker.ts";
import { SOURCES, type Source } from "../../src/sync/types.ts";
import type { FaultOptions } from "../../src/simulator/index.ts";
import { createMetrics } from "../../src/metrics/registry.ts";
import { heldSummary } from "../../src/store/sql/held-deletions.ts";
import { childEnv, runMpsync } from "../jobs/harness.ts";
import { APP_ID, assertConverged, rowVersions, rowsWritten, runtimeFor, simulator } from "./harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const sim = await simulator({
  seed: { seed: 21, published: 120, maxNewsItems: 3, contentBytes: 200, deletedNewsItemRate: 0, materials: { image: 45, video: 22, voice: 14, news: 25 } },
});
const rt = runtimeFor(db, redis, sim, 3);
afterAll(async () => {
  await rt.close();
  await sim.close();
});

const full = (source: Source) => rt.engine.run({ appId: APP_ID, source, mode: "full", trigger: "manual" });
const incremental = (source: Source) => rt.engine.run({ appId: APP_ID, source, mode: "incremental", trigger: "manual" });
const listCalls = (): number => {
  const c = sim.counters().calls;
  return (c["/cgi-bin/freepublish/batchget"] ?? 0) + (c["/cgi-bin/material/batchget_material"] ?? 0);
};
const count = async (q: string, params: unknown[] = []): Promise<number> => Number((await db.sql.query(q, params)).rows[0].n);
const liveArticles = () => count("SELECT count(*) AS n FROM published_articles WHERE NOT is_deleted");
const liveNewsItems = () => count("SELECT count(*) AS n FROM published_news_items WHERE NOT is_deleted");
const liveMaterials = (type: string) => count("SELECT count(*) AS n FROM materials WHERE type = $1 AND NOT is_deleted", [type]);
const held = (source: Source) => count("SELECT count(*) AS n FROM held_deletions WHERE source = $1", [source]);

/** Gives this bad answer to every list request (or from the n-th on) while fn runs. */
async function withBadAnswers<T>(faults: FaultOptions, fn: () => Promise<T>, fromCall = 0): Promise<T> {
  let calls = 0;
  if (fromCall === 0) sim.setFaults(faults);
  else sim.onRequest(() => void (calls++ === fromCall && sim.setFaults(faults)));
  try {
    return await fn();
  } finally {
    sim.onRequest(undefined);
    sim.setFaults({});
  }
}

const lastRun = async () => (await db.sql.query("SELECT status, error_message, marked_deleted, deletions_held FROM sync_runs ORDER BY id DESC LIMIT 1")).rows[0];

beforeAll(async () => {
  for (const s of SOURCES) expect((await full(s)).status).toBe("succeeded");
  await assertConverged(db.sql, sim, (a, b) => expect(a).toEqual(b));
});

describe("an empty list for a source with live rows", () => {
  it("answered once: the second read of page 0 wins, nothing deleted or held", async () => {
    const before = await rowVersions(db.sql);
    sim.resetCounters();
    const r = await withBadAnswers({ malformedPages: 1, malformedKind: "empty-list" }, () => full("published"));
    expect(sim.counters().faults["/cgi-bin/freepublish/batchget malformed-empty-list"]).toBe(1);
    expect(r).toMatchObject({ status: "succeeded", markedDeleted: 0, deletionsHeld: 0 });
    // 120 articles: 6 pages, the confirming read of page 0, and the final check of page 0
    expect(listCalls()).toBe(8);
    expect(r.apiCalls).toBe(8);
    expect(rowsWritten(before, await rowVersions(db.sql))).toBe(0);
    await assertConverged(db.sql, sim, (a, b) => expect(a).toEqual(b));
  });

  it("answered every time (published): confirmed, then held by the breaker; the run succeeds, nothing is deleted", async () => {
    const before = await rowVersions(db.sql);
    const [articles, items] = [await liveArticles(), await liveNewsItems()];
    sim.resetCounters();
    const r = await withBadAnswers({ malformedPages: 1_000, malformedKind: "empty-list" }, () => full("published"));
    expect(listCalls()).toBe(2); // page 0, and page 0 again to confirm
    expect(r).toMatchObject({ status: "succeeded", markedDeleted: 0, deletionsHeld: articles });
    expect(await lastRun()).toMatchObject({ status: "succeeded", marked_deleted: 0, deletions_held: articles });
    expect(rowsWritten(before, await rowVersions(db.sql))).toBe(0);
    expect([await liveArticles(), await liveNewsItems()]).toEqual([articles, items]);
    expect(await held("published")).toBe(articles);

    // WeChat answers truly again: the walk sees every held row, so none stays held or is deleted
    const again = await full("published");
    expect(again).toMatchObject({ status: "succeeded", markedDeleted: 0, deletionsHeld: 0 });
    expect(await held("published")).toBe(0);
    expect(rowsWritten(before, await rowVersions(db.sql))).toBe(0);
  });

  it("an incremental run that sees held rows releases them", async () => {
    await withBadAnswers({ malformedPages: 1_000, malformedKind: "empty-list" }, () => full("material:news"));
    expect(await held("material:news")).toBe(25);
    await incremental("material:news");
    // one page of 20 seen: those are present, the other 5 stay held
    expect(await held("material:news")).toBe(5);
    await full("material:news");
    expect(await held("material:news")).toBe(0);
    expect(await liveMaterials("news")).toBe(25);
  });
});

describe("malformed answers: retried as transient, then the run fails naming the field; nothing written", () => {
  it('voices: {"total_count":0,"item_count":0} without item', async () => {
    const voices = await liveMaterials("voice");
    sim.resetCounters();
    const e = await withBadAnswers({ malformedPages: 1_000, malformedKind: "no-item" }, () => full("material:voice")).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ContradictoryResponseError);
    expect(e).toBeInstanceOf(TransientError);
    expect(e).toMatchObject({ field: "item" });
    expect(listCalls()).toBe(5); // the client's retries: not taken at its word
    expect(await liveMaterials("voice")).toBe(voices);
    expect(await lastRun()).toMatchObject({ status: "failed", error_message: expect.stringMatching(/: item is missing/) });
    // and the job layer retries it too (transient), rather than failing for good
    expect(decideFailure(e)).toEqual({ action: "retry" });
  });

  it("images: the true total_count with empty pages after the first", async () => {
    const before = await rowVersions(db.sql);
    const e = await withBadAnswers({ malformedPages: 1_000, malformedKind: "empty-page" }, () => full("material:image"), 1).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ContradictoryResponseError);
    expect((e as Error).message).toMatch(/item holds 0 entries but total_count 45 at offset 20/);
    expect(await liveMaterials("image")).toBe(45);
    expect(rowsWritten(before, await rowVersions(db.sql))).toBe(0);
    expect((await full("material:image")).status).toBe("succeeded"); // resumes and finishes
    expect(await liveMaterials("image")).toBe(45);
  });

  it("published items without content, or with news_item: [], under no_content 0: no flag changes, no article revived", async () => {
    // an article whose every news item is deleted is stored as deleted
    const dead = sim.published()[3]!;
    dead.news_item.forEach((_, i) => sim.deleteNewsItem(dead.article_id, i));
    await full("published");
    const isDead = async () => (await db.sql.query("SELECT is_deleted FROM published_articles WHERE article_id = $1", [dead.article_id])).rows[0].is_deleted;
    expect(await isDead()).toBe(true);
    const before = await rowVersions(db.sql);
    const items = await liveNewsItems();
    for (const kind of ["no-content", "empty-news-item"] as const) {
      const e = await withBadAnswers({ malformedPages: 1_000, malformedKind: kind }, () => full("published")).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ContradictoryResponseError);
      expect((e as ContradictoryResponseError).field).toBe(kind === "no-content" ? "item[0].content" : "item[0].content.news_item");
      expect(await lastRun()).toMatchObject({ status: "failed", error_message: expect.stringContaining((e as ContradictoryResponseError).field) });
    }
    expect(rowsWritten(before, await rowVersions(db.sql))).toBe(0);
    expect(await liveNewsItems()).toBe(items);
    expect(await isDead()).toBe(true);
  });

  it("news materials with news_item: [] leave their news items alone", async () => {
    const before = await rowVersions(db.sql);
    const e = await withBadAnswers({ malformedPages: 1_000, malformedKind: "empty-news-item" }, () => full("material:news")).catch((x: unknown) => x);
    expect(e).toMatchObject({ name: "ContradictoryResponseError", field: "item[0].content.news_item" });
    expect(rowsWritten(before, await rowVersions(db.sql))).toBe(0);
  });
});

describe("the deletion circuit breaker", () => {
  it("a real mass deletion is held by the first walk and applied by the confirming one", async () => {
    await full("published"); // settle anything earlier tests left
    const live = await liveArticles();
    const gone = sim.published().slice(10, 40).map((a) => a.article_id); // 30 of ~120: > 20% and > 10
    for (const id of gone) sim.deleteArticle(id);
    const first = await full("published");
    expect(first).toMatchObject({ status: "succeeded", markedDeleted: 0, deletionsHeld: 30 });
    expect(await liveArticles()).toBe(live);
    const second = await full("published");
    expect(second).toMatchObject({ status: "succeeded", markedDeleted: 30, deletionsHeld: 0 });
    expect(await liveArticles()).toBe(live - 30);
    expect(await held("published")).toBe(0);
    await assertConverged(db.sql, sim, (a, b) => expect(a).toEqual(b));
  });

  it("deletions within either limit are applied at once", async () => {
    // 9 of 22 videos: over 20% but not over 10 rows
    const videos = sim.materials("video").slice(0, 9).map((m) => m.media_id);
    for (const id of videos) sim.deleteMaterial(id);
    expect(await full("material:video")).toMatchObject({ markedDeleted: 9, deletionsHeld: 0 });
  });

  it("held deletions beside new ones: the confirmed are applied, the new ones judged alone", async () => {
    const images = sim.materials("image");
    for (const m of images.slice(0, 12)) sim.deleteMaterial(m.media_id);
    expect(await full("material:image")).toMatchObject({ markedDeleted: 0, deletionsHeld: 12 });
    sim.deleteMaterial(images[20]!.media_id); // one more: below the limits
    expect(await full("material:image")).toMatchObject({ markedDeleted: 13, deletionsHeld: 0 });
  });

  it("the rule: more than `rows` AND more than `percent` % of live rows, counting only this walk's own findings", () => {
    const keys = (n: number, p = "k") => Array.from({ length: n }, (_, i) => `${p}${i}`);
    const none = new Set<string>();
    expect(decideAbsences({ absent: keys(11), held: none, live: 50 })).toEqual({ apply: [], hold: keys(11) });
    expect(decideAbsences({ absent: keys(10), held: none, live: 20 }).hold).toEqual([]); // not more than 10
    expect(decideAbsences({ absent: keys(20), held: none, live: 100 }).hold).toEqual([]); // not more than 20 %
    expect(decideAbsences({ absent: keys(21), held: none, live: 100 }).hold).toHaveLength(21);
    expect(decideAbsences({ absent: keys(30), held: new Set(keys(30)), live: 100 })).toEqual({ apply: keys(30), hold: [] });
    expect(decideAbsences({ absent: [...keys(5), ...keys(12, "n")], held: new Set(keys(5)), live: 40 })).toEqual({ apply: keys(5), hold: keys(12, "n") });
    expect(decideAbsences({ absent: keys(50), held: none, live: 100 }, { percent: 60, rows: 10 }).hold).toEqual([]);
    expect(decideAbsences({ absent: keys(5), held: none, live: 5 }, { percent: 0, rows: 0 }).hold).toHaveLength(5);
  });
});

describe("the operator", () => {
  it("sees held deletions in mpsync deletions status, mpsync status and /metrics, and applies them with mpsync deletions apply", async () => {
    const gone = sim.materials("news").slice(0, 11).map((m) => m.media_id); // 11 of 25
    for (const id of gone) sim.deleteMaterial(id);
    expect(await full("material:news")).toMatchObject({ markedDeleted: 0, deletionsHeld: 11 });
    const env = childEnv(db, redis, sim);

    const status = await runMpsync(["deletions", "status", "--json"], env);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).held_deletions).toEqual([
      { account: APP_ID, source: "material:news", held: 11, run_id: expect.any(String), held_since: expect.any(String) },
    ]);
    const text = await runMpsync(["deletions", "status"], env);
    expect(text.stdout).toContain(`${APP_ID} material:news: 11 deletions held`);

    const overall = await runMpsync(["status", "--json"], env);
    expect(overall.code).toBe(0);
    const targets = JSON.parse(overall.stdout).targets as { source: string; deletions_held: number }[];
    expect(Object.fromEntries(targets.map((t) => [t.source, t.deletions_held]))).toEqual({
      published: 0, "material:image": 0, "material:video": 0, "material:voice": 0, "material:news": 11,
    });
    expect((await runMpsync(["status"], env)).stdout).toContain("material:news: last full succeeded");

    const metrics = createMetrics({ defaultMetrics: false, heldDeletions: () => heldSummary(rt.prisma) });
    expect(await metrics.registry.metrics()).toContain(`mpsync_deletions_held{account="${APP_ID}",source="material:news"} 11`);

    const apply = await runMpsync(["deletions", "apply", "--source", "material:news"], env);
    expect(apply.code).toBe(0);
    expect(apply.stdout.trim()).toBe(`${APP_ID} material:news: 11 rows marked deleted (11 deletions were held)`);
    expect(await held("material:news")).toBe(0);
    expect(await liveMaterials("news")).toBe(14);
    expect(await metrics.registry.metrics()).not.toContain("mpsync_deletions_held{");
    expect((await runMpsync(["deletions", "status"], env)).stdout.trim()).toBe("no deletions held");
    // the next walk agrees: nothing more to do
    expect(await full("material:news")).toMatchObject({ markedDeleted: 0, deletionsHeld: 0 });
    await assertConverged(db.sql, sim, (a, b) => expect(a).toEqual(b));
  });

  it("deletions apply for an account that is not configured is refused in one line", async () => {
    const r = await runMpsync(["deletions", "apply", "--account", "wxnotconfigured"], childEnv(db, redis, sim));
    expect(r.code).toBe(1);
    expect(r.all.trim()).toMatch(/^mpsync: account wxnotconfigured is not configured/);
  });
});
