// A run whose advisory-lock connection is killed mid-walk: it stops after the page it is
// writing, records the failure only once that page has settled, and nothing it writes
// lands after the failure is recorded. The page write is held in flight by a row lock
// of the test's own, so the order of events does not depend on timing.
import { afterAll, describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import pg from "pg";
import { createLogger } from "../../src/logging/logger.ts";
import { SyncLockLostError } from "../../src/sync/errors.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { APP_ID, rowVersions, runtimeFor, simulator } from "./harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const sim = await simulator({ seed: { seed: 5, published: 200, maxNewsItems: 2, contentBytes: 100, materials: {} } });
const lines: string[] = [];
const logger = createLogger("warn", new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
const rt = runtimeFor(db, redis, sim, 1, { logger });
afterAll(async () => {
  await rt.close();
  await sim.close();
});

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>): Promise<T> {
  for (let i = 0; i < 2_000; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const runRow = async () =>
  (await db.sql.query("SELECT id, status, pages, inserted, error_message, finished_at, heartbeat_at FROM sync_runs WHERE source = 'published'")).rows[0];

describe("a lost lock", () => {
  it("stops the walk before the run is recorded; no write lands after the failure", async () => {
    sim.setFaults({ latencyMs: 30 });
    const running = rt.engine.run({ appId: APP_ID, source: "published", mode: "full", trigger: "manual" });
    const outcome = running.then(
      () => null,
      (e: unknown) => e,
    );
    await until("a first committed page", async () => ((await runRow())?.pages ?? 0) >= 1);

    // hold the next page's write in flight: the test inserts (uncommitted) every article not
    // stored yet, so the walk's upsert of its next page waits for this transaction
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    await blocker.query("BEGIN");
    await blocker.query(
      `INSERT INTO published_articles (account_id, article_id)
       SELECT (SELECT id FROM accounts), k FROM unnest($1::text[]) AS k
       WHERE NOT EXISTS (SELECT 1 FROM published_articles p WHERE p.article_id = k)`,
      [sim.published().map((a) => a.article_id)],
    );
    await until("the walk's page write to wait on the test's rows", async () => {
      const r = await db.sql.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> $1",
        [(blocker as unknown as { processID: number }).processID],
      );
      return r.rows[0].n > 0;
    });

    // lose the lock: end the session that holds it
    const killed = await db.sql.query(
      "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'mpsync-lock'",
    );
    expect(killed.rows).toEqual([{ ok: true }]);
    await until("the engine to notice the lost lock", async () => lines.some((l) => l.includes("sync lock lost")));
    // a grace period in which a run that does not wait for its walk would record its failure
    for (let i = 0; i < 50 && (await runRow()).status === "running"; i++) await new Promise((r) => setTimeout(r, 10));
    expect((await runRow()).status).toBe("running"); // the page in flight has not settled: nothing recorded yet

    await blocker.query("ROLLBACK");
    await blocker.end();
    const err = await outcome;
    expect(err).toBeInstanceOf(SyncLockLostError);

    // recorded after the walk settled: the failure holds every page that landed
    const failed = await runRow();
    expect(failed.status).toBe("failed");
    expect(failed.error_message).toMatch(/lost its lock/);
    const stored = await db.sql.query("SELECT count(*)::int AS n FROM published_articles");
    expect(stored.rows[0].n).toBe(failed.inserted);
    expect(failed.pages).toBeGreaterThanOrEqual(2); // the held page landed before the failure
    expect(failed.heartbeat_at.getTime()).toBeLessThanOrEqual(failed.finished_at.getTime());

    // and nothing lands afterwards: wait until no statement of this database is in progress
    const snapshot = await rowVersions(db.sql);
    await until("the database to be idle", async () => {
      const r = await db.sql.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state NOT IN ('idle')",
      );
      return r.rows[0].n === 0;
    });
    expect(await rowVersions(db.sql)).toEqual(snapshot);
    expect(await runRow()).toEqual(failed);
    sim.setFaults({});
  });
});
