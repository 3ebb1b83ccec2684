// What a person at a terminal and a pipe each get: JSON log lines on stderr and plain
// results on stdout when piped; pretty logs and progress bars on a terminal (a real pty
// through util-linux `script`); LOG_FORMAT overrides; a bad LOG_FORMAT is named.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../../src/simulator/index.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { childEnv } from "../jobs/harness.ts";
import { simulator } from "../sync/harness.ts";

const bin = path.resolve(import.meta.dirname, "../../bin/mpsync.js");
const SCRIPT = "/usr/bin/script";
const db = await createTestDatabase();
const redis = createTestRedis();
let sim: Simulator;
let env: Record<string, string>;
const mediaDir = mkdtempSync(path.join(tmpdir(), "mpsync-terminal-media-"));

beforeAll(async () => {
  // a little latency per page, so a run lasts long enough for a progress bar to be drawn
  sim = await simulator({ faults: { latencyMs: 40 }, media: { origin: "self" }, seed: { seed: 3, published: 120, maxNewsItems: 2, contentBytes: 300, materials: { image: 25, video: 2, voice: 2, news: 2 } } });
  env = { ...childEnv(db, redis, sim), LOG_LEVEL: "info", MEDIA_MIRROR: "true", MEDIA_SOURCE_HOSTS: new URL(sim.url).host, MEDIA_STORE_URL: `file:${mediaDir}` };
});
afterAll(async () => {
  await sim?.close();
  rmSync(mediaDir, { recursive: true, force: true });
});

function run(cmd: string, args: string[], extra: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env: { ...process.env, ...env, ...extra }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    p.on("error", reject);
    p.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
const mpsync = (args: string[], extra: Record<string, string> = {}) => run(process.execPath, [bin, ...args], extra);

describe("a pipe", () => {
  it("gets JSON log lines on stderr and plain result lines on stdout, nothing animated", async () => {
    const r = await mpsync(["sync", "--inline", "--full"], { NO_COLOR: "1", MEDIA_MIRROR: "false" }); // the media pass is the terminal test's
    expect(r.code, r.stderr).toBe(0);
    const logs = r.stderr.trim().split("\n");
    expect(logs.length).toBeGreaterThan(1);
    for (const line of logs) expect(() => JSON.parse(line), line).not.toThrow();
    expect(logs.map((l) => JSON.parse(l).msg)).toContain("sync run succeeded");
    expect(r.stdout).toMatch(/^wxsimulator000001 published full: \d+ pages/m);
    for (const out of [r.stdout, r.stderr]) {
      expect(out).not.toContain("\r");
      expect(out).not.toContain("\x1b[");
    }
  });

  it("LOG_FORMAT=pretty gives readable lines even on a pipe; a bad LOG_FORMAT is named", async () => {
    const r = await mpsync(["sync", "--inline", "--source", "material:voice"], { LOG_FORMAT: "pretty", MEDIA_MIRROR: "false" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/INFO.*sync run succeeded/);
    expect(r.stderr.trim().startsWith("{")).toBe(false);
    const bad = await mpsync(["sync", "--inline"], { LOG_FORMAT: "xml" });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('LOG_FORMAT must be json or pretty (got "xml")');
  });
});

describe.skipIf(!existsSync(SCRIPT))(`a terminal${existsSync(SCRIPT) ? "" : ` (SKIPPED: ${SCRIPT} (util-linux) is missing)`}`, () => {
  it("gets pretty logs, a progress bar per source (pages of the list's total, items, elapsed) and one for the media pass", async () => {
    const cmd = [process.execPath, bin, "sync", "--inline", "--full"].map((a) => `'${a}'`).join(" ");
    const r = await run(SCRIPT, ["-qec", cmd, "/dev/null"], { COLUMNS: "160", LINES: "40", TERM: "xterm" });
    expect(r.code, r.stdout).toBe(0);
    const screen = r.stdout;
    expect(screen).toMatch(/INFO.*sync run succeeded/);
    expect(screen).not.toMatch(/^\{"level"/m);
    // a bar for the published list, which has 120 items: 6 pages of 20
    expect(screen).toMatch(/wxsimulator000001 published\s+\[[█░]+\] \d+\/6 pages \| \d+\/120 .*items \|/);
    expect(screen).toMatch(/wxsimulator000001 published full: \d+ pages/);
    expect(screen).toMatch(/media \[[█░]+\] \d+\/\d+ assets \| \d+\.\d MB \|/);
  });
});
