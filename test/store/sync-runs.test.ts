// sync_runs as the store guards it: once a run is no longer running (failed by itself or
// closed by another process that took over its source), its writes are refused whole.
import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { RunNotRunningError } from "../../src/store/errors.ts";
import type { ArticleRow } from "../../src/store/rows.ts";
import { createSyncStore } from "../../src/store/sync-store.ts";
import { createTestDatabase } from "../helpers/db.ts";

const db = await createTestDatabase();
const store = createSyncStore(db.prisma, db.url);
const zero = { pages: 0, apiCalls: 0, itemsSeen: 0, inserted: 0, updated: 0, unchanged: 0, markedDeleted: 0, verificationReads: 0, removedChars: 0 };
const published = { kind: "published" } as const;

/** A fresh account (so each test has its own rows) with a running full run of `published`. */
async function running() {
  const accountId = await store.ensureAccount(`wxstore${randomBytes(5).toString("hex")}`, null);
  const { runId } = await store.startRun({ accountId, source: "published", mode: "full", trigger: "manual", jobId: null });
  return { accountId, runId };
}

const article = (articleId: string): ArticleRow => ({ articleId, createTime: null, updateTime: new Date(), isDeleted: false, contentHash: "h", newsItems: [], removedChars: 0 });
const articles = async (accountId: number) =>
  (await db.sql.query("SELECT article_id FROM published_articles WHERE account_id = $1", [accountId])).rows.map((r) => r.article_id);
const run = async (runId: bigint) =>
  (await db.sql.query("SELECT status, pages, checkpoint, error_message FROM sync_runs WHERE id = $1", [runId])).rows[0];

describe("writes of a run", () => {
  it("a page of a running run lands with its checkpoint", async () => {
    const { accountId, runId } = await running();
    await store.writePage({ accountId, runId, source: published, rows: [article("a1")], changes: [], checkpoint: { at: 1 }, counters: { ...zero, pages: 1, inserted: 1 } });
    expect(await articles(accountId)).toEqual(["a1"]);
    expect(await run(runId)).toMatchObject({ status: "running", pages: 1, checkpoint: { at: 1 } });
  });

  it("a page of a failed run is refused with RunNotRunningError and writes nothing", async () => {
    const { accountId, runId } = await running();
    await store.failRun(runId, zero, { status: "failed", errorCode: null, errorMessage: "stopped" });
    const before = await run(runId);
    const write = store.writePage({ accountId, runId, source: published, rows: [article("late")], changes: [], checkpoint: { at: 9 }, counters: { ...zero, pages: 1 } });
    await expect(write).rejects.toBeInstanceOf(RunNotRunningError);
    await expect(write).rejects.toMatchObject({ runId, status: "failed" });
    expect(await articles(accountId)).toEqual([]);
    expect(await run(runId)).toEqual(before);
  });

  it("a run closed by another process's start cannot finish, and marks nothing deleted", async () => {
    const { accountId, runId } = await running();
    await store.writePage({ accountId, runId, source: published, rows: [article("kept")], changes: [], checkpoint: {}, counters: zero });
    // another process took the source over: its start closes this run as interrupted
    await store.startRun({ accountId, source: "published", mode: "full", trigger: "manual", jobId: null });
    const finish = store.finishRun({ accountId, runId, source: published, sourceName: "published", counters: zero, markAbsent: { walkId: runId, decide: ({ absent }) => ({ apply: absent, hold: [] }) }, walkId: runId, consistencyNote: null });
    await expect(finish).rejects.toBeInstanceOf(RunNotRunningError);
    const kept = await db.sql.query("SELECT is_deleted FROM published_articles WHERE account_id = $1", [accountId]);
    expect(kept.rows).toEqual([{ is_deleted: false }]);
    expect((await run(runId)).status).toBe("interrupted"); // closed by the other process's start
  });

  it("a dead process's page still committing when the next run starts: the close waits for it and takes that page's checkpoint and counters", async () => {
    const { accountId, runId } = await running();
    // the dead process's last page transaction: its run row locked, its page row written, not yet committed
    const dying = await db.sql.connect();
    try {
      await dying.query("BEGIN");
      await dying.query("SELECT status FROM sync_runs WHERE id = $1 FOR UPDATE", [runId]);
      await dying.query(
        `INSERT INTO sync_walk_pages (account_id, source, seq, walk_id, run_id, keys, checkpoint, counters)
         VALUES ($1, 'published', 1, $2, $2, ARRAY['k1'], '{"at": 3}', '{"pages": 3, "items_seen": 60}')`,
        [accountId, runId],
      );
      const next = store.startRun({ accountId, source: "published", mode: "full", trigger: "manual", jobId: null });
      await new Promise((r) => setTimeout(r, 200));
      await dying.query("COMMIT");
      const started = await next;
      expect(started.resumedFrom).toEqual({ runId, checkpoint: { at: 3 } });
    } finally {
      dying.release();
    }
    expect(await run(runId)).toMatchObject({ status: "interrupted", pages: 3, checkpoint: null });
  });

  it("failing a run another process already closed keeps that process's record", async () => {
    const { accountId, runId } = await running();
    await store.startRun({ accountId, source: "published", mode: "full", trigger: "manual", jobId: null });
    const closed = await run(runId);
    expect(closed).toMatchObject({ status: "interrupted", error_message: expect.stringMatching(/^process ended/) });
    await store.failRun(runId, { ...zero, pages: 7 }, { status: "failed", errorCode: null, errorMessage: "lost its lock" });
    expect(await run(runId)).toEqual(closed);
  });
});
