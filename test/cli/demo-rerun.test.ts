// `npm run demo` twice on the same database: the second run finds every seeded article and
// material, and the article the first run's push step published, unchanged.
import { afterAll, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, "../../bin/mpsync.js");
const db = await createTestDatabase();
const redis = createTestRedis();
const mediaDir = await mkdtemp(path.join(tmpdir(), "mpsync-demo-media-"));
afterAll(() => rm(mediaDir, { recursive: true, force: true }));

interface Row { source: string; inserted: number; updated: number; unchanged: number; deleted: number }

async function demo(): Promise<{ rows: Row[]; stdout: string }> {
  const { HTTP_PORT: _port, PUBLIC_URL: _url, MPSYNC_ACCOUNTS_FILE: _file, WECHAT_APP_ID: _id, WECHAT_APP_SECRET: _secret, ...inherited } = process.env;
  const env = { ...inherited, DATABASE_URL: db.url, REDIS_URL: redis.url, MPSYNC_REDIS_PREFIX: redis.prefix, MEDIA_STORE_URL: `file:${mediaDir}`, LOG_LEVEL: "warn" };
  const { stdout } = await run(process.execPath, [bin, "demo", "--no-console"], { env, timeout: 120_000 });
  // the summary table: source  pages  api calls  inserted  updated  unchanged  deleted  ms
  const rows = stdout
    .split("\n")
    .map((l) => /^(published|material:\w+)\s+\d+\s+\d+\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+$/.exec(l.trim()))
    .filter((m) => m !== null)
    .map((m) => ({ source: m[1]!, inserted: Number(m[2]), updated: Number(m[3]), unchanged: Number(m[4]), deleted: Number(m[5]) }));
  return { rows, stdout };
}

it("a second demo run finds its content unchanged", { timeout: 300_000 }, async () => {
  const first = await demo();
  expect(first.rows, first.stdout).toHaveLength(5);
  const inserted = new Map(first.rows.map((r) => [r.source, r.inserted]));
  expect(first.stdout).toMatch(/PUBLISHJOBFINISH pushed .* stored in Postgres/);

  const second = await demo();
  expect(second.rows, second.stdout).toHaveLength(5);
  for (const r of second.rows) {
    expect({ source: r.source, inserted: r.inserted, updated: r.updated, deleted: r.deleted }, second.stdout).toEqual({ source: r.source, inserted: 0, updated: 0, deleted: 0 });
    // everything the first run stored, the article its push step published included
    expect(r.unchanged, r.source).toBe(inserted.get(r.source)! + (r.source === "published" ? 1 : 0));
  }
  expect(second.stdout).toMatch(/^media: 0 new, 0 downloaded/m);
});
