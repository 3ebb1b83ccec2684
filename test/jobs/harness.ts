// Worker and CLI child processes for the jobs tests: `node bin/mpsync.js ...` with the
// test's database, Redis prefix and simulator. Every child is killed in afterAll.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll } from "vitest";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { QUEUE_NAME } from "../../jobs/catalog.ts";
import { SIM_DEFAULT_APP } from "../../src/simulator/index.ts";

const bin = path.resolve(import.meta.dirname, "../../bin/mpsync.js");
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

export interface Child {
  proc: ChildProcess;
  output(): string;
  /** resolves when a line matching `re` was printed (stdout or stderr) */
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnMpsync(args: string[], env: Record<string, string>): Child {
  const proc = spawn(process.execPath, [bin, ...args], { env: { ...process.env, LOG_LEVEL: "info", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.add(proc);
  let out = "";
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  const onData = (d: Buffer): void => {
    out += d.toString();
    for (const w of [...waiters]) if (w.re.test(out)) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
  };
  proc.stdout!.on("data", onData);
  proc.stderr!.on("data", onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on("exit", (code, signal) => resolve({ code, signal })));
  return {
    proc,
    output: () => out,
    exited,
    waitFor(re, timeoutMs = 30_000) {
      if (re.test(out)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for ${re} in:\n${out.slice(-3000)}`)), timeoutMs);
        waiters.push({ re, resolve: () => (clearTimeout(t), resolve()) });
        void exited.then(() => setTimeout(() => reject(new Error(`process exited before ${re}:\n${out.slice(-3000)}`)), 50));
      });
    },
  };
}

/** Runs a CLI command to its end. */
export async function runMpsync(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; all: string }> {
  const c = spawnMpsync(args, env);
  let stdout = "";
  c.proc.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  const { code } = await c.exited;
  return { code, stdout, all: c.output() };
}

/** A queue handle on the test's prefix, closed in afterAll. */
export function testQueue(redisUrl: string, prefix: string): Queue {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUE_NAME, { connection, prefix });
  afterAll(async () => {
    await queue.close();
    connection.disconnect();
  });
  return queue;
}

export async function until<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, what = "condition"): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Environment of an mpsync child process pointed at this file's database, Redis prefix
 * and simulator, with the simulator's default account unless `extra` configures others.
 */
export function childEnv(
  db: { url: string },
  redis: { url: string; prefix: string },
  sim: { url: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  const account: Record<string, string> = extra.MPSYNC_ACCOUNTS_FILE
    ? {}
    : { WECHAT_APP_ID: SIM_DEFAULT_APP.appId, WECHAT_APP_SECRET: SIM_DEFAULT_APP.secret };
  // the simulator's content names the real CDN (mmbiz.qpic.cn) unless a test asks otherwise: nothing to mirror here
  return { DATABASE_URL: db.url, REDIS_URL: redis.url, MPSYNC_REDIS_PREFIX: redis.prefix, WECHAT_API_BASE_URL: sim.url, MEDIA_MIRROR: "false", ...account, ...extra };
}

/** `mpsync accounts --check --json`'s entry for a healthy env account with default settings. */
export const checkedAccountJson = (appId: string) => ({
  app_id: appId,
  name: null,
  token_kind: "stable",
  concurrency: 2,
  schedule: { incremental_every_minutes: 15, full_cron: "0 3 * * *", enabled: true },
  health: "ok",
  check: { ok: true, secret_checked: true, message: null },
});
