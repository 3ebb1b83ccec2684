// The sources of one account run side by side, yet the account never has more WeChat
// requests in flight than its concurrency allows.
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { runMany, syncTargets } from "../../src/sync/run-many.ts";
import { APP_ID, assertConverged, runtimeFor, simulator } from "./harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const sim = await simulator({
  seed: { seed: 5, published: 120, maxNewsItems: 2, contentBytes: 200, materials: { image: 120, video: 60, voice: 60, news: 20 } },
});
const CONCURRENCY = 3;
const rt = runtimeFor(db, redis, sim, CONCURRENCY);
afterAll(async () => {
  await rt.close();
  await sim.close();
});

describe("per-account concurrency", () => {
  it("runs the five sources together with at most `concurrency` list requests in flight", async () => {
    const inFlight: string[] = [];
    let peak = 0;
    let peakSources = 0;
    // the hook runs while a list request is being served: hold it briefly so overlaps show
    sim.onRequest(async ({ endpoint, body }) => {
      const source = `${endpoint}:${String(body.type ?? "")}`;
      inFlight.push(source);
      peak = Math.max(peak, inFlight.length);
      peakSources = Math.max(peakSources, new Set(inFlight).size);
      await new Promise((r) => setTimeout(r, 15));
      inFlight.splice(inFlight.indexOf(source), 1);
    });
    const results = await runMany(rt.engine, syncTargets(rt.config.accounts, APP_ID), { mode: "full", trigger: "manual" });
    sim.onRequest(undefined);
    expect(results).toHaveLength(5);
    expect(peak).toBe(CONCURRENCY);
    expect(peakSources).toBeGreaterThan(1); // sources really ran side by side
    await assertConverged(db.sql, sim, (a, b) => expect(a).toEqual(b));
  });
});
