// Real worker processes: a sync killed with SIGKILL mid-walk resumes from its checkpoint
// and ends in the state of an uninterrupted run, absences marked; two processes started together never
// run the same (account, source) at once, and one refused by the lock says so.
// Every test has its own database, Redis prefix and simulator (freshSyncEnv).
import { describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SIM_DEFAULT_APP } from "../../src/simulator/index.ts";
import { syncLockName } from "../../src/sync/lock-name.ts";
import { tryAdvisoryLock } from "../../src/store/sql/advisory-lock.ts";
import { runOut } from "../../src/status/runs.ts";
import { createReadStore } from "../../src/store/read-store.ts";
import { APP_ID, assertConverged, freshSyncEnv } from "./harness.ts";

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../bin/mpsync.js");
// long enough that a walk killed after its fourth page is still far from its end on a loaded machine
const PUBLISHED = 900;
const env = freshSyncEnv({
  sim: { seed: { seed: 9, published: PUBLISHED, maxNewsItems: 3, contentBytes: 200, materials: { image: 50, video: 5, voice: 5, news: 10 } } },
  concurrency: 2,
});
/** The one line `mpsync sync` prints when the lock refuses it a source. */
const refusedLine = (source: string) => new RegExp(`^mpsync: sync of account ${APP_ID} source ${source} failed: .*already running[^\\n]*$`);

function worker(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, "sync", ...args, "--inline"], {
    env: {
      ...process.env,
      DATABASE_URL: env.db.url,
      MPSYNC_REDIS_PREFIX: env.redis.prefix,
      REDIS_URL: env.redis.url,
      WECHAT_API_BASE_URL: env.sim.url,
      WECHAT_APP_ID: SIM_DEFAULT_APP.appId,
      WECHAT_APP_SECRET: SIM_DEFAULT_APP.secret,
      LOG_LEVEL: "silent",
      MPSYNC_ACCOUNTS_FILE: "",
      MEDIA_MIRROR: "false", // content names the real CDN: nothing to mirror in this test
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += String(d)));
  child.stdout!.resume();
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on("exit", (code) => resolve({ code, stderr })));
  return { child, done };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("worker processes", () => {
  it("SIGKILL mid full sync: the next run resumes from the checkpoint, ends in the same state and marks exactly the absent rows", async () => {
    // two stored articles WeChat no longer lists: the resumed walk must mark exactly these deleted
    const acc = await env.db.sql.query("INSERT INTO accounts (app_id) VALUES ($1) RETURNING id", [APP_ID]);
    await env.db.sql.query("INSERT INTO published_articles (account_id, article_id, content_hash) VALUES ($1, 'gone-1', 'h'), ($1, 'gone-2', 'h')", [acc.rows[0].id]);
    env.sim.setFaults({ latencyMs: 40 });
    const { child, done } = worker(["--full", "--source", "published"]);
    // wait until a few pages are committed (the page rows have them; the run row only at most once a second)
    const committed = async () =>
      (await env.db.sql.query("SELECT seq, checkpoint, counters, written_at FROM sync_walk_pages WHERE source = 'published' ORDER BY seq DESC LIMIT 1")).rows[0];
    for (let i = 0; i < 500; i++) {
      if (((await committed())?.counters.pages ?? 0) >= 4) break;
      await sleep(10);
    }
    child.kill("SIGKILL");
    await done;
    // a COMMIT the worker sent just before dying still completes on the server: wait for it
    for (let i = 0; i < 200; i++) {
      const busy = await env.db.sql.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'",
      );
      if (busy.rows[0].n === 0) break;
      await sleep(10);
    }
    env.sim.setFaults({});
    const crashed = await env.db.sql.query("SELECT id, status FROM sync_runs WHERE source = 'published'");
    expect(crashed.rows).toHaveLength(1);
    expect(crashed.rows[0].status).toBe("running");
    const newest = await committed();
    const resumeAt = newest.checkpoint.scan.nextOffset as number;
    expect(resumeAt).toBeGreaterThanOrEqual(80);
    expect(resumeAt).toBeLessThan(PUBLISHED);

    const offsets: number[] = [];
    env.sim.onRequest((req) => {
      offsets.push(Number(req.body.offset));
    });
    const result = await env.rt.engine.run({ appId: APP_ID, source: "published", mode: "full", trigger: "manual" });
    env.sim.onRequest(undefined);
    expect(result.status).toBe("succeeded");
    // it did not start again from offset 0: it reads from the checkpoint on, and below it
    // only the final check of page 0 (requests reach WeChat in no fixed order: each waits
    // for its quota permit and a request slot on its own)
    expect(Math.min(...offsets.filter((o) => o !== 0))).toBe(resumeAt);
    expect(offsets.filter((o) => o < resumeAt)).toEqual(offsets.includes(0) ? [0] : []);
    const runs = await env.db.sql.query("SELECT status, error_message, checkpoint, finished_at, inserted, items_seen FROM sync_runs WHERE source = 'published' ORDER BY id");
    // the dead process's row is closed as interrupted at its last committed page, not at the
    // next run's start, with that page's counters
    expect(runs.rows.map((r) => r.status)).toEqual(["interrupted", "succeeded"]);
    expect(runs.rows[0].error_message).toMatch(/^process ended; resumed by run \d+$/);
    expect(runs.rows[0].finished_at).toEqual(newest.written_at);
    expect(runs.rows[0]).toMatchObject({ inserted: newest.counters.inserted, items_seen: newest.counters.items_seen });
    // the result covers the whole walk (both rows), and counts each item once
    expect(runs.rows[0].inserted).toBeGreaterThan(0);
    expect(result).toMatchObject({ runs: 2, inserted: PUBLISHED, itemsSeen: PUBLISHED, markedDeleted: 2, alreadySucceeded: false });
    expect(runs.rows[0].items_seen + runs.rows[1].items_seen).toBe(PUBLISHED);
    // status (CLI and JSON) and the admin API report the walk's totals across its two rows
    const reads = createReadStore(env.db.prisma);
    const last = runOut((await reads.lastRuns([APP_ID])).get(`${APP_ID}|published`)!.last!);
    expect(last).toMatchObject({ status: "succeeded", walk: { runs: 2, inserted: PUBLISHED, items_seen: PUBLISHED, first_run_id: String(crashed.rows[0].id) } });
    expect(last.inserted).toBeLessThan(PUBLISHED); // the row itself holds only its part
    const [recent] = await reads.recentRuns({ appId: APP_ID, source: "published", limit: 1 });
    expect(runOut(recent!).walk).toEqual(last.walk);
    const counts = await env.db.sql.query("SELECT count(*)::int AS n, count(DISTINCT article_id)::int AS d FROM published_articles");
    expect(counts.rows[0]).toEqual({ n: PUBLISHED + 2, d: PUBLISHED + 2 });
    const gone = await env.db.sql.query("SELECT article_id FROM published_articles WHERE is_deleted AND article_id LIKE 'gone-%' ORDER BY 1");
    expect(gone.rows.map((r) => r.article_id)).toEqual(["gone-1", "gone-2"]);
    // the same state as an uninterrupted run: every article equal to the simulator, the two
    // unlisted ones deleted
    for (const s of ["material:image", "material:video", "material:voice", "material:news"] as const) {
      await env.rt.engine.run({ appId: APP_ID, source: s, mode: "full", trigger: "manual" });
    }
    await assertConverged(env.db.sql, env.sim, (a, b) => expect(a).toEqual(b));
  });

  it("two workers started together never run the same source at once", async () => {
    env.sim.setFaults({ latencyMs: 25 });
    const a = worker(["--full"]);
    const b = worker(["--full"]);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    env.sim.setFaults({});
    const runs = await env.db.sql.query("SELECT source, status, started_at, finished_at FROM sync_runs ORDER BY source, started_at");
    const bySource = new Map<string, { started_at: Date; finished_at: Date }[]>();
    for (const r of runs.rows) bySource.set(r.source, [...(bySource.get(r.source) ?? []), r]);
    expect(bySource.size).toBe(5);
    for (const list of bySource.values()) {
      for (let i = 1; i < list.length; i++) expect(list[i]!.started_at.getTime()).toBeGreaterThanOrEqual(list[i - 1]!.finished_at.getTime());
    }
    // each worker either synced everything it asked for, or was refused and says so
    for (const r of [ra, rb]) expect(r.code === 0 ? r.stderr : r.stderr.trim()).toMatch(r.code === 0 ? /^$/ : refusedLine("\\S+"));
    expect(runs.rows.every((r) => r.status === "succeeded")).toBe(true);
    await assertConverged(env.db.sql, env.sim, (x, y) => expect(x).toEqual(y));
  });

  it("a worker refused a source by the lock says so in one line naming account and source, and runs nothing of it", async () => {
    // another process holds the published lock for the whole test
    const held = await tryAdvisoryLock(env.db.url, syncLockName(APP_ID, "published"));
    expect(held).not.toBeNull();
    try {
      const { code, stderr } = await worker(["--full", "--source", "published"]).done;
      expect(code).toBe(1);
      expect(stderr.trim()).toMatch(refusedLine("published"));
      const runs = await env.db.sql.query("SELECT count(*)::int AS n FROM sync_runs");
      expect(runs.rows[0].n).toBe(0);
    } finally {
      await held!.release();
    }
  });
});
