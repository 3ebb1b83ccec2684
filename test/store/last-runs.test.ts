// The status report's last-runs read: per (account, source) the newest run and the newest
// succeeded one with their walk totals, read in a fixed number of statements however many
// accounts have history (10,000 accounts must answer `mpsync status` within seconds).
import { describe, expect, it } from "vitest";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../src/store/generated/prisma/client.ts";
import { lastRuns } from "../../src/store/read/runs.ts";
import { createTestDatabase } from "../helpers/db.ts";

const db = await createTestDatabase();

/** A client whose every SQL statement is counted (Prisma's query log events). */
function countingClient(): { prisma: PrismaClient; statements: () => number; reset: () => void } {
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url, max: 3 }), log: [{ emit: "event", level: "query" }] });
  let n = 0;
  prisma.$on("query", () => n++);
  return { prisma, statements: () => n, reset: () => (n = 0) };
}

/**
 * Accounts `${prefix}0..count-1`, each with runs of two sources: an old full walk, a walk paused
 * by the quota and resumed by a second row, and a newest incremental run that failed.
 */
async function seed(prefix: string, count: number): Promise<string[]> {
  const appIds = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  await db.sql.query(`INSERT INTO accounts (app_id) SELECT unnest($1::text[])`, [appIds]);
  for (const appId of appIds) {
    for (const source of ["published", "material:image"]) {
      const ins = async (v: { mode: string; status: string; hoursAgo: number; pages: number; walk?: bigint; paused?: boolean }): Promise<bigint> => {
        const r = await db.sql.query(
          `INSERT INTO sync_runs (account_id, source, mode, trigger, status, started_at, finished_at, pages, api_calls, items_seen, inserted,
                                  walk_run_id, paused_reason, resume_at, error_code)
           SELECT id, $2, $3, 'schedule', $4, now() - make_interval(hours => $5), now() - make_interval(hours => $5) + interval '1 minute',
                  $6, $6, $6 * 20, $6 * 2, $7, $8, CASE WHEN $8::text IS NULL THEN NULL ELSE now() + interval '5 hours' END,
                  CASE WHEN $4 = 'failed' THEN 45009 END
             FROM accounts WHERE app_id = $1 RETURNING id`,
          [appId, source, v.mode, v.status, v.hoursAgo, v.pages, v.walk ?? null, v.paused ? "quota of /cgi-bin/freepublish/batchget spent: 25 of 25" : null],
        );
        const id = BigInt(r.rows[0].id);
        if (v.walk === undefined) await db.sql.query(`UPDATE sync_runs SET walk_run_id = id WHERE id = $1`, [id]);
        return id;
      };
      await ins({ mode: "full", status: "succeeded", hoursAgo: 72, pages: 5 });
      const paused = await ins({ mode: "full", status: "paused", hoursAgo: 48, pages: 3, paused: true });
      await ins({ mode: "full", status: "succeeded", hoursAgo: 24, pages: 4, walk: paused });
      await ins({ mode: "incremental", status: "failed", hoursAgo: 1, pages: 1 });
    }
  }
  return appIds;
}

describe("last runs", () => {
  it("reads the newest and the newest succeeded run of every (account, source) with the resumed walk's totals", async () => {
    const { prisma } = countingClient();
    try {
      const [appId] = await seed("wxlastshape", 1);
      await db.sql.query(`INSERT INTO accounts (app_id) VALUES ('wxlastnever')`);
      const runs = await lastRuns(prisma, [appId!, "wxlastnever", "wxlastunknown"]);
      expect([...runs.keys()].sort()).toEqual([`${appId}|material:image`, `${appId}|published`]);
      const r = runs.get(`${appId}|published`)!;
      expect(r.last).toMatchObject({ appId, source: "published", mode: "incremental", status: "failed", errorCode: 45009, pages: 1 });
      expect(r.last!.walk).toMatchObject({ firstRunId: r.last!.id, runs: 1, counters: expect.objectContaining({ pages: 1 }) });
      // the newest success is the resumption of the paused walk: its totals span both rows
      const ok = r.lastSucceeded!;
      expect(ok).toMatchObject({ mode: "full", status: "succeeded", pages: 4, pausedReason: null });
      expect(ok.walk.runs).toBe(2);
      expect(ok.walk.firstRunId).not.toBe(ok.id);
      expect(ok.walk.counters).toMatchObject({ pages: 7, apiCalls: 7, itemsSeen: 140, inserted: 14 });
      const first = await db.sql.query(`SELECT started_at, status, paused_reason FROM sync_runs WHERE id = $1`, [ok.walk.firstRunId]);
      expect(first.rows[0]).toMatchObject({ status: "paused", paused_reason: expect.stringContaining("25 of 25") });
      expect(ok.walk.startedAt).toEqual(first.rows[0].started_at);
      // a run row as the reports use it: no checkpoint, heartbeat or account id
      expect(Object.keys(r.last!).sort()).toEqual(
        [
          "apiCalls", "appId", "consistencyNote", "deletionsHeld", "errorCode", "errorMessage", "finishedAt", "id", "inserted", "itemsSeen", "jobId",
          "markedDeleted", "mode", "pages", "pausedReason", "removedChars", "resumeAt", "source", "startedAt", "status", "trigger", "unchanged", "updated",
          "verificationReads", "walk",
        ].sort(),
      );
    } finally {
      await prisma.$disconnect();
    }
  });

  it("shows a paused newest run with its reason and resume time, and no success when none succeeded", async () => {
    const { prisma } = countingClient();
    try {
      await db.sql.query(`INSERT INTO accounts (app_id) VALUES ('wxlastpaused')`);
      await db.sql.query(
        `INSERT INTO sync_runs (account_id, source, mode, trigger, status, started_at, pages, paused_reason, resume_at)
         SELECT id, 'published', 'full', 'schedule', 'paused', now(), 2, 'quota spent', now() + interval '3 hours' FROM accounts WHERE app_id = 'wxlastpaused'`,
      );
      const r = (await lastRuns(prisma, ["wxlastpaused"])).get("wxlastpaused|published")!;
      expect(r.lastSucceeded).toBeNull();
      expect(r.last).toMatchObject({ status: "paused", pausedReason: "quota spent", resumeAt: expect.any(Date) });
      // a row older than walk_run_id (none set) is a walk of its own
      expect(r.last!.walk).toMatchObject({ firstRunId: r.last!.id, runs: 1, counters: expect.objectContaining({ pages: 2 }) });
    } finally {
      await prisma.$disconnect();
    }
  });

  it("issues as many statements for 30 accounts as for 3", async () => {
    const few = await seed("wxlastfew", 3);
    const many = await seed("wxlastmany", 30);
    const { prisma, statements, reset } = countingClient();
    try {
      await prisma.$queryRaw`SELECT 1`; // connect before counting
      reset();
      const a = await lastRuns(prisma, few);
      const forFew = statements();
      reset();
      const b = await lastRuns(prisma, many);
      const forMany = statements();
      expect(a.size).toBe(3 * 2);
      expect(b.size).toBe(30 * 2);
      expect([...b.values()].every((r) => r.last && r.lastSucceeded?.walk.runs === 2)).toBe(true);
      expect(forFew).toBeGreaterThan(0);
      expect(forMany).toBe(forFew);
    } finally {
      await prisma.$disconnect();
    }
  });
});
