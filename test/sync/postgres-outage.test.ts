// Postgres stops in the middle of a full sync: the runs fail with a message naming the
// cause (no process-ending 'error' event from a connection of the page writes), what was
// committed stays, and once Postgres is back the next sync resumes and ends exact.
// Uses a Postgres server of its own (initdb in a temporary folder, its own port), never
// the shared one; it is stopped with an immediate shutdown, as a crash would stop it.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase } from "../../src/store/migrations.ts";
import { runMany, syncTargets } from "../../src/sync/run-many.ts";
import type { Runtime } from "../../src/runtime.ts";
import type { Simulator } from "../../src/simulator/index.ts";
import { openTestRedis, type TestDatabase } from "../helpers/db.ts";
import { until } from "../jobs/harness.ts";
import { expectedState, runtimeFor, simulator } from "./harness.ts";

/** Debian/Ubuntu keep the server binaries per major version; the newest one here. */
function postgresBin(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const majors = readdirSync(root).filter((d) => existsSync(path.join(root, d, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a));
  return majors[0] ? path.join(root, majors[0], "bin") : null;
}

/** initdb and postgres refuse root: as root, run them as the postgres user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync("/etc/passwd", "utf8").split("\n").find((l) => l.startsWith("postgres:"));
  if (!line) return undefined;
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const bin = postgresBin();
const user = serverUser();
const runnable = bin !== null && (process.getuid?.() !== 0 || user !== undefined);

describe.skipIf(!runnable)(`a Postgres that stops mid-sync${runnable ? "" : " (SKIPPED: no Postgres server binaries or postgres user here)"}`, () => {
  const dir = mkdtempSync(path.join(tmpdir(), "mpsync-pg-"));
  const data = path.join(dir, "data");
  let port = 0;
  let server: ChildProcess | undefined;
  let url = "";
  let sql: pg.Pool;
  let redis: ReturnType<typeof openTestRedis>;
  let sim: Simulator;
  let rt: Runtime | undefined;

  async function startPostgres(): Promise<void> {
    server = spawn(path.join(bin!, "postgres"), ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"], {
      stdio: "ignore",
      ...user,
    });
    await until(async () => {
      const c = new pg.Client({ connectionString: `postgresql://postgres@127.0.0.1:${port}/postgres`, connectionTimeoutMillis: 1_000 });
      c.on("error", () => {});
      try {
        await c.connect();
        return true;
      } catch {
        return false;
      } finally {
        await c.end().catch(() => {});
      }
    }, 20_000, "the private Postgres to answer");
  }

  async function crashPostgres(): Promise<void> {
    const exited = new Promise((r) => server!.once("exit", r));
    server!.kill("SIGQUIT"); // immediate shutdown: no checkpoint, connections cut
    await exited;
  }

  beforeAll(async () => {
    if (user) chownSync(dir, user.uid, user.gid);
    execFileSync(path.join(bin!, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"], { stdio: "ignore", ...user });
    port = await freePort();
    await startPostgres();
    url = `postgresql://postgres@127.0.0.1:${port}/mpsync_outage`;
    await migrateDatabase(url);
    sql = new pg.Pool({ connectionString: url, max: 2 });
    sql.on("error", () => {}); // its idle connections die with the server
    redis = openTestRedis();
    // 20 ms per list request: the walk is still running when the server stops
    sim = await simulator({ faults: { latencyMs: 20 }, seed: { seed: 11, published: 400, maxNewsItems: 2, contentBytes: 200, materials: { image: 400, video: 0, voice: 0, news: 0 } } });
  }, 60_000);

  afterAll(async () => {
    await rt?.close().catch(() => {});
    await sim?.close();
    await sql?.end().catch(() => {});
    await redis?.clear();
    if (server && server.exitCode === null) await crashPostgres();
    rmSync(dir, { recursive: true, force: true });
  });

  it("fails the runs with the cause, keeps what was committed, and the next sync resumes and ends exact", async () => {
    rt = runtimeFor({ url } as TestDatabase, redis, sim, 2);
    const sync = runMany(rt.engine, syncTargets(rt.config.accounts), { mode: "full", trigger: "manual" }).then(
      () => null,
      (e: unknown) => e,
    );
    await until(async () => Number((await sql.query(`SELECT count(*) AS n FROM published_articles`)).rows[0].n) >= 60, 20_000, "some pages to be committed");
    await crashPostgres();
    const failure = await sync;
    expect(failure).toBeInstanceOf(Error);
    expect(String((failure as Error).message)).toMatch(/lost its lock \(|terminat|ECONNREFUSED|connect/i);
    await rt.close().catch(() => {});

    await startPostgres();
    const kept = Number((await sql.query(`SELECT count(*) AS n FROM published_articles`)).rows[0].n);
    expect(kept).toBeGreaterThanOrEqual(60);

    rt = runtimeFor({ url } as TestDatabase, redis, sim, 2);
    const runs = await runMany(rt.engine, syncTargets(rt.config.accounts), { mode: "full", trigger: "manual" });
    expect(runs.every((r) => r.status === "succeeded")).toBe(true);
    // the interrupted walks were resumed, not started again
    expect(runs.find((r) => r.source === "published")!.runs).toBeGreaterThanOrEqual(2);
    const live = (await sql.query<{ article_id: string }>(`SELECT article_id FROM published_articles WHERE NOT is_deleted ORDER BY article_id`)).rows.map((r) => r.article_id);
    const want = expectedState(sim).articles.filter((a) => !a.is_deleted).map((a) => a.article_id).sort();
    expect(live).toEqual(want);
    const images = Number((await sql.query(`SELECT count(*) AS n FROM materials WHERE type = 'image' AND NOT is_deleted`)).rows[0].n);
    expect(images).toBe(400);
  }, 120_000);
});
