// Drift between page requests of one walk (publishes, deletions, edits injected through
// the simulator's onRequest hook): no item present throughout is missed, no live item
// is marked deleted, and the next full sync converges exactly.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import type { RequestHook } from "../../src/simulator/index.ts";
import { createSyncEngine } from "../../src/sync/engine.ts";
import { createSyncStore } from "../../src/store/sync-store.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { SOURCES, type SyncEngine } from "../../src/sync/types.ts";
import { APP_ID, assertConverged, runtimeFor, simulator } from "./harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const sim = await simulator({ seed: { seed: 5, published: 200, maxNewsItems: 3, contentBytes: 200, materials: { image: 90 } } });
const rt = runtimeFor(db, redis, sim, 4);
afterAll(async () => {
  await rt.close();
  await sim.close();
});

beforeEach(async () => {
  await db.sql.query("TRUNCATE published_articles, published_news_items, materials, material_news_items");
});

/** Runs one full walk of `source` with `hook` active; returns what the test must check. */
function walkWithDrift(
  source: "published" | "material:image",
  hook: (req: Parameters<RequestHook>[0], deleted: Set<string>) => void,
  engine: SyncEngine = rt.engine,
) {
  return walkWithDriftAsync(source, async (req, deleted) => hook(req, deleted), engine);
}

async function walkWithDriftAsync(
  source: "published" | "material:image",
  hook: (req: Parameters<RequestHook>[0], deleted: Set<string>) => Promise<void>,
  engine: SyncEngine = rt.engine,
) {
  const keysNow = () => (source === "published" ? sim.published().map((a) => a.article_id) : sim.materials("image").map((m) => m.media_id));
  const atStart = keysNow();
  const deleted = new Set<string>();
  sim.onRequest((req) => hook(req, deleted));
  let result;
  try {
    result = await engine.run({ appId: APP_ID, source, mode: "full", trigger: "manual" });
  } finally {
    sim.onRequest(undefined);
  }
  const table = source === "published" ? "published_articles" : "materials";
  const key = source === "published" ? "article_id" : "media_id";
  const rows = await db.sql.query(`SELECT ${key} AS k, is_deleted FROM ${table}`);
  const stored = new Map(rows.rows.map((r) => [r.k as string, r.is_deleted as boolean]));
  const throughout = atStart.filter((k) => !deleted.has(k));
  const missed = throughout.filter((k) => !stored.has(k));
  const live = new Set(keysNow());
  const allItemsDeleted = new Set(source === "published" ? sim.published().filter((a) => a.news_item.every((n) => n.is_deleted)).map((a) => a.article_id) : []);
  const liveMarkedDeleted = [...live].filter((k) => stored.get(k) === true && !allItemsDeleted.has(k));
  return { result, missed, liveMarkedDeleted, throughout };
}

async function convergesAfterQuietFullSync() {
  for (const source of SOURCES) {
    const r = await rt.engine.run({ appId: APP_ID, source, mode: "full", trigger: "manual" });
    // many deletions at once are held by the circuit breaker until a second walk confirms them
    if (r.deletionsHeld > 0) expect((await rt.engine.run({ appId: APP_ID, source, mode: "full", trigger: "manual" })).deletionsHeld).toBe(0);
  }
  await assertConverged(db.sql, sim, (a, b) => expect(a).toEqual(b));
}

const offsetOf = (req: { body: Record<string, unknown> }): number => Number(req.body.offset);
const idsAt = (positions: number[]): string[] => {
  const list = sim.published();
  return positions.map((p) => list[p]?.article_id).filter((x): x is string => x !== undefined);
};

describe("drift during a full walk (concurrency 4)", () => {
  it("deletions just before the requested offset (items slide up across page boundaries)", async () => {
    const r = await walkWithDrift("published", (req, deleted) => {
      const o = offsetOf(req);
      if (o > 0 && req.callIndex % 2 === 0 && req.callIndex < 12) {
        for (const id of idsAt([o - 1, o - 2, o - 3])) {
          sim.deleteArticle(id);
          deleted.add(id);
        }
      }
    });
    expect(r.missed).toEqual([]);
    expect(r.liveMarkedDeleted).toEqual([]);
    expect(r.throughout.length).toBeGreaterThan(150);
    // skips were repaired by re-reading: more pages than one pass over the list
    expect(r.result.pages).toBeGreaterThan(Math.ceil(200 / 20) + 1);
    await convergesAfterQuietFullSync();
  });

  it("publishes at the head between requests (items slide down: duplicates only)", async () => {
    const r = await walkWithDrift("published", (req) => {
      if (req.callIndex % 3 === 1 && req.callIndex < 15) sim.publish(2);
    });
    expect(r.missed).toEqual([]);
    expect(r.liveMarkedDeleted).toEqual([]);
    expect(r.result.consistencyNote).toBeNull();
    await convergesAfterQuietFullSync();
  });

  it("a publish AND a delete between two requests served out of order (equal totals, concurrency 4)", async () => {
    // page 1 (offset 20) is held back so page 2 is answered first; then one publish at
    // the head and one deletion far below shift the item at position 39 to 40: page 2
    // missed it (answered earlier) and page 1 misses it now. The totals never change.
    let held = false;
    const r = await walkWithDriftAsync("published", async (req, deleted) => {
      if (offsetOf(req) === 20 && !held) {
        held = true;
        await new Promise((res) => setTimeout(res, 150));
        sim.publish(1);
        const [far] = idsAt([150]);
        sim.deleteArticle(far!);
        deleted.add(far!);
      }
    });
    expect(held).toBe(true);
    expect(r.missed).toEqual([]);
    expect(r.liveMarkedDeleted).toEqual([]);
    await convergesAfterQuietFullSync();
  });

  it("edits of items already read and not yet read, and news-item deletions", async () => {
    const r = await walkWithDrift("published", (req) => {
      if (req.callIndex === 3) {
        const list = sim.published();
        sim.editArticle(list[1]!.article_id, { title: "edited early" }, 0);
        sim.editArticle(list[150]!.article_id, { title: "edited late" }, 0);
        sim.deleteNewsItem(list[2]!.article_id, 0);
      }
    });
    expect(r.missed).toEqual([]);
    expect(r.liveMarkedDeleted).toEqual([]);
    await convergesAfterQuietFullSync();
  });

  it("materials: deletions in a page already read and an addition at the head", async () => {
    const r = await walkWithDrift("material:image", (req, deleted) => {
      if (req.callIndex === 1) {
        const list = sim.materials("image");
        for (const m of [list[0]!, list[1]!, list[2]!]) {
          sim.deleteMaterial(m.media_id);
          deleted.add(m.media_id);
        }
        sim.addMaterial("image", 1);
      }
    });
    expect(r.missed).toEqual([]);
    expect(r.liveMarkedDeleted).toEqual([]);
    await convergesAfterQuietFullSync();
  });

  it("drift that outlasts the repair budget: finishes without marking absences and says why", async () => {
    // tiny budget so that a deletion before the cursor on every request exhausts it
    const engine = createSyncEngine({
      store: createSyncStore(rt.prisma, db.url),
      accounts: rt.config.accounts,
      clientFor: rt.clientFor,
      logger: createLogger("silent"),
      repairLimits: { minRewinds: 1, requestsPerPage: 2 },
    });
    await db.sql.query("INSERT INTO published_articles (account_id, article_id) SELECT id, 'no-longer-listed' FROM accounts");
    const r = await walkWithDrift(
      "published",
      (req, deleted) => {
        const o = offsetOf(req);
        for (const id of new Set(idsAt([Math.max(0, o - 1), Math.max(0, o - 2)]))) {
          sim.deleteArticle(id);
          deleted.add(id);
        }
      },
      engine,
    );
    expect(r.liveMarkedDeleted).toEqual([]);
    expect(r.result.status).toBe("succeeded");
    expect(r.result.markedDeleted).toBe(0);
    expect(r.result.consistencyNote).toMatch(/absences not marked deleted/);
    const run = await db.sql.query("SELECT consistency_note FROM sync_runs WHERE id = $1", [r.result.runId]);
    expect(run.rows[0].consistency_note).toBe(r.result.consistencyNote);
    const stale = await db.sql.query("SELECT is_deleted FROM published_articles WHERE article_id = 'no-longer-listed'");
    expect(stale.rows[0].is_deleted).toBe(false);
    await convergesAfterQuietFullSync();
    const after = await db.sql.query("SELECT is_deleted FROM published_articles WHERE article_id = 'no-longer-listed'");
    expect(after.rows[0].is_deleted).toBe(true);
  });
});
