// `npm run bench -- --planner`: the planner at 10,000 accounts (issue 12). Starts a real
// `mpsync worker` on an accounts file of N accounts and measures: time to /readyz 200 with
// every (account, source) planned, `mpsync status --json` time and coverage, that a second
// replica changes no due time (and starts in O(1)), incremental runs per minute against the
// average, the spread of the full runs, and the Redis memory of the plan.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { planKeys } from "../src/planner/plan.ts";
import { SOURCES } from "../src/sync/types.ts";
import { REPO_DIR } from "./child.ts";

export interface PlannerBenchOptions {
  accounts: number;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  progress(line: string): void;
}

const bin = path.join(REPO_DIR, "bin", "mpsync.js");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(port: number, proc: ChildProcess, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`worker exited with ${proc.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false);
    if (ok) return;
    if (Date.now() > end) throw new Error("worker not ready in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [bin, ...args], { env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    p.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    p.on("exit", (code) => resolve({ code, stdout: out, ms: performance.now() - t0 }));
  });
}

async function plan(redis: Redis, prefix: string): Promise<Map<string, number>> {
  const raw = await redis.zrange(planKeys(prefix).due, 0, -1, "WITHSCORES");
  const m = new Map<string, number>();
  for (let i = 0; i < raw.length; i += 2) m.set(raw[i]!, Number(raw[i + 1]));
  return m;
}

/**
 * Sync history for every account, as a worker that has run for days leaves it: per (account,
 * source) an old full walk, a walk paused by the quota and resumed the next day (two rows, one
 * walk_run_id), and a newest incremental run (every 7th account's failed, so its last run is not
 * its last success). Inserted set-based; the status report must then read every target's runs.
 */
export async function seedHistory(databaseUrl: string, appIds: string[], sources: readonly string[]): Promise<number> {
  const c = new pg.Client({ connectionString: databaseUrl, application_name: "mpsync-bench" });
  await c.connect();
  try {
    await c.query("BEGIN");
    await c.query(`INSERT INTO accounts (app_id) SELECT unnest($1::text[]) ON CONFLICT (app_id) DO NOTHING`, [appIds]);
    // one row per (account, source, step); steps: 1 old full walk, 2 paused walk, 3 its resumption, 4 incremental
    await c.query(
      `INSERT INTO sync_runs (account_id, source, mode, trigger, status, started_at, finished_at, pages, api_calls, items_seen,
                              inserted, updated, unchanged, error_code, error_message, paused_reason, resume_at)
       SELECT a.id, s.source, CASE WHEN st.step = 4 THEN 'incremental' ELSE 'full' END, 'schedule',
              CASE st.step WHEN 2 THEN 'paused' WHEN 4 THEN CASE WHEN a.id % 7 = 0 THEN 'failed' ELSE 'succeeded' END ELSE 'succeeded' END,
              now() - make_interval(hours => (4 - st.step) * 24 + 1), now() - make_interval(hours => (4 - st.step) * 24),
              st.step * 3, st.step * 3, st.step * 60, st.step * 10, st.step, st.step * 50,
              CASE WHEN st.step = 4 AND a.id % 7 = 0 THEN 45009 END, CASE WHEN st.step = 4 AND a.id % 7 = 0 THEN 'api freq out of limit' END,
              CASE WHEN st.step = 2 THEN 'quota of /cgi-bin/freepublish/batchget spent: 25 of 25' END,
              CASE WHEN st.step = 2 THEN now() - interval '2 days' END
         FROM accounts a CROSS JOIN unnest($1::text[]) AS s(source) CROSS JOIN generate_series(1, 4) AS st(step)
        WHERE a.app_id = ANY($2::text[])
        ORDER BY st.step, a.id, s.source`,
      [sources, appIds],
    );
    // the resumption (step 3) continues the paused walk (step 2); every other row starts its own walk
    await c.query(
      `UPDATE sync_runs r SET walk_run_id = p.id FROM sync_runs p
        WHERE p.account_id = r.account_id AND p.source = r.source AND p.status = 'paused'
          AND r.mode = 'full' AND r.status = 'succeeded' AND r.started_at > p.started_at`,
    );
    await c.query(`UPDATE sync_runs SET walk_run_id = id WHERE walk_run_id IS NULL`);
    await c.query("COMMIT");
    await c.query("ANALYZE accounts; ANALYZE sync_runs");
    const n = await c.query<{ n: number }>("SELECT count(*)::int AS n FROM sync_runs");
    return n.rows[0]!.n;
  } finally {
    await c.end();
  }
}

export interface PlannerBenchResult {
  accounts: number;
  /** sync_runs rows seeded before the worker starts */
  syncRuns: number;
  targets: number;
  readyMs: number;
  planned: number;
  statusMs: number;
  statusTargetsWithTimes: number;
  /** targets whose status shows both a last run and a last successful run */
  statusTargetsWithHistory: number;
  secondReplicaReadyMs: number;
  secondReplicaChangedDueTimes: number;
  incrementalPerMinute: { average: number; max: number; min: number };
  fullSpreadMinutes: number;
  redisPlanBytes: number;
  redisPlanBytesPerAccount: number;
}

interface StatusTarget {
  next_incremental_at: string | null;
  next_full_at: string | null;
  last_run: unknown;
  last_succeeded_run: unknown;
}

export async function plannerBench(o: PlannerBenchOptions): Promise<PlannerBenchResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "mpsync-planner-"));
  const file = path.join(dir, "accounts.json");
  const accounts = Array.from({ length: o.accounts }, (_, i) => ({ appId: `wxbench${String(i).padStart(10, "0")}`, appSecret: "bench-secret-not-used" }));
  await writeFile(file, JSON.stringify({ accounts }));
  const redis = new Redis(o.redisUrl);
  const procs: ChildProcess[] = [];
  const env = (port: number): NodeJS.ProcessEnv => ({
    ...process.env,
    DATABASE_URL: o.databaseUrl,
    REDIS_URL: o.redisUrl,
    MPSYNC_REDIS_PREFIX: o.redisPrefix,
    MPSYNC_ACCOUNTS_FILE: file,
    // nothing is due before the measurement ends; no WeChat call is made
    WECHAT_API_BASE_URL: "http://127.0.0.1:9",
    HTTP_PORT: String(port),
    HTTP_HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
  });
  try {
    const targets = o.accounts * SOURCES.length;
    o.progress(`planner: sync history for ${o.accounts} accounts`);
    const syncRuns = await seedHistory(o.databaseUrl, accounts.map((a) => a.appId), SOURCES);
    o.progress(`planner: worker on ${o.accounts} accounts (${targets} targets)`);
    const port1 = await freePort();
    const t0 = performance.now();
    const w1 = spawn(process.execPath, [bin, "worker"], { env: env(port1), stdio: ["ignore", "ignore", "inherit"] });
    procs.push(w1);
    await waitReady(port1, w1, 120_000);
    const readyMs = performance.now() - t0;
    const first = await plan(redis, o.redisPrefix);

    o.progress("planner: mpsync status --json");
    const st = await run(["status", "--json"], env(port1));
    if (st.code !== 0) throw new Error(`status exited ${st.code}`);
    const status = JSON.parse(st.stdout) as { targets: StatusTarget[] };
    const withTimes = status.targets.filter((t) => t.next_incremental_at && t.next_full_at).length;
    const withHistory = status.targets.filter((t) => t.last_run && t.last_succeeded_run).length;

    o.progress("planner: a second replica");
    // the running worker's ticks move due entries meanwhile: compare only those not yet due
    const beforeSecond = await plan(redis, o.redisPrefix);
    const port2 = await freePort();
    const t1 = performance.now();
    const w2 = spawn(process.execPath, [bin, "worker"], { env: env(port2), stdio: ["ignore", "ignore", "inherit"] });
    procs.push(w2);
    await waitReady(port2, w2, 120_000);
    const secondReadyMs = performance.now() - t1;
    const secondAt = Date.now();
    const second = await plan(redis, o.redisPrefix);
    let changed = 0;
    for (const [m, t] of beforeSecond) if (t > secondAt && second.get(m) !== t) changed++;
    changed += [...second.keys()].filter((m) => !beforeSecond.has(m)).length;

    // incremental runs per minute of the cycle (15 minutes), full runs' spread
    const perMinute = new Map<number, number>();
    const fulls: number[] = [];
    for (const [m, t] of first) {
      if (m.endsWith("|incremental")) {
        const k = Math.floor((t % 900_000) / 60_000);
        perMinute.set(k, (perMinute.get(k) ?? 0) + 1);
      } else fulls.push(t);
    }
    const counts = [...perMinute.values()];
    const average = counts.reduce((a, b) => a + b, 0) / 15;
    const bytes = (await Promise.all(Object.values(planKeys(o.redisPrefix)).map((k) => redis.memory("USAGE", k, "SAMPLES", "0").catch(() => 0)))).reduce<number>((a, b) => a + Number(b ?? 0), 0);
    return {
      accounts: o.accounts,
      syncRuns,
      targets,
      readyMs: Math.round(readyMs),
      planned: first.size,
      statusMs: Math.round(st.ms),
      statusTargetsWithTimes: withTimes,
      statusTargetsWithHistory: withHistory,
      secondReplicaReadyMs: Math.round(secondReadyMs),
      secondReplicaChangedDueTimes: changed,
      incrementalPerMinute: { average: Math.round(average), max: Math.max(...counts), min: Math.min(...counts) },
      fullSpreadMinutes: Math.round((Math.max(...fulls) - Math.min(...fulls)) / 60_000),
      redisPlanBytes: bytes,
      redisPlanBytesPerAccount: Math.round(bytes / o.accounts),
    };
  } finally {
    for (const p of procs) p.kill("SIGTERM");
    await Promise.all(procs.map((p) => (p.exitCode !== null ? Promise.resolve() : new Promise((r) => p.once("exit", r)))));
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${o.redisPrefix}*`, "COUNT", 1_000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
  }
}

export function describePlannerBench(r: PlannerBenchResult): string[] {
  return [
    `planner at ${r.accounts} accounts (${r.targets} targets, ${r.planned} planned due times):`,
    `  worker ready (/readyz 200, every target planned): ${(r.readyMs / 1000).toFixed(2)} s (target ≤ 10 s)`,
    `  mpsync status --json: ${(r.statusMs / 1000).toFixed(2)} s over ${r.syncRuns} sync_runs rows, ${r.statusTargetsWithTimes} of ${r.targets} targets with next_incremental_at and next_full_at, ${r.statusTargetsWithHistory} with a last run and a last successful run (target ≤ 10 s, all)`,
    `  second replica: ready in ${(r.secondReplicaReadyMs / 1000).toFixed(2)} s, ${r.secondReplicaChangedDueTimes} due times changed (target 0)`,
    `  incremental runs per minute: average ${r.incrementalPerMinute.average}, max ${r.incrementalPerMinute.max}, min ${r.incrementalPerMinute.min} (target max ≤ 2 × average)`,
    `  full runs spread over ${r.fullSpreadMinutes} minutes (target ≥ 30)`,
    `  Redis memory of the plan: ${(r.redisPlanBytes / 1024 / 1024).toFixed(1)} MB, ${r.redisPlanBytesPerAccount} bytes per account (target < 50 MB)`,
  ];
}
