// A run whose advisory-lock connection is killed mid-walk: it stops after the page it is
// writing, records the failure only once that page has settled, and nothing it writes
// lands after the failure is recorded. The page write is held in flight by a row lock
// of the test's own (taken before the run starts), so the order of events does not
// depend on timing.
import { afterAll, describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import pg from "pg";
import { createLogger } from "../../src/logging/logger.ts";
import { createSyncStore } from "../../src/store/sync-store.ts";
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
    // hold the walk's first page write in flight: the test inserts (uncommitted) every
    // article first, so the walk's upsert waits for this transaction
    const accountId = await createSyncStore(db.prisma, db.url).ensureAccount(APP_ID, null);
    const blocker = new pg.Client({ connectionString: db.url });
    blocker.on("error", () => {}); // ended below; a failed test leaves it to the database's drop
    await blocker.connect();
    try {
      await blocker.query("BEGIN");
      await blocker.query("INSERT INTO published_articles (account_id, article_id) SELECT $1, unnest($2::text[])", [
        accountId,
        sim.published().map((a) => a.article_id),
      ]);
      const blockerPid = (await blocker.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;

      const outcome = rt.engine.run({ appId: APP_ID, source: "published", mode: "full", trigger: "manual" }).then(
        () => null,
        (e: unknown) => e,
      );
      await until("the walk's page write to wait on the test's rows", async () => {
        const r = await db.sql.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> $1",
          [blockerPid],
        );
        return r.rows[0].n > 0;
      });
      expect((await runRow()).status).toBe("running");

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
      const err = await outcome;
      expect(err).toBeInstanceOf(SyncLockLostError);

      // recorded after the walk settled: the failure holds every page that landed
      const failed = await runRow();
      expect(failed.status).toBe("failed");
      expect(failed.error_message).toMatch(/lost its lock/);
      const stored = await db.sql.query("SELECT count(*)::int AS n FROM published_articles");
      expect(failed.pages).toBeGreaterThanOrEqual(1); // the held page landed before the failure
      expect(stored.rows[0].n).toBe(failed.inserted);
      expect(stored.rows[0].n).toBeGreaterThan(0);
      expect(failed.heartbeat_at.getTime()).toBeLessThanOrEqual(failed.finished_at.getTime());

      // and nothing lands afterwards: wait until no statement of this database is in progress
      const snapshot = await rowVersions(db.sql);
      await until("the database to be idle", async () => {
        const r = await db.sql.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), $1) AND state <> 'idle'",
          [blockerPid],
        );
        return r.rows[0].n === 0;
      });
      expect(await rowVersions(db.sql)).toEqual(snapshot);
      expect(await runRow()).toEqual(failed);
    } finally {
      sim.setFaults({});
      await blocker.end();
    }
  });
});
