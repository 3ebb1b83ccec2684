// Starts the benchmark's own processes (the simulator, each sync, the floor client,
// the Ctrl-C cleanup) and reads a child's one-line report. spawnTs is the one place
// that decides how a bench/*.ts file is run from source; the sync processes run
// JavaScript compiled by tsc instead, as the Docker image does (see spawnCompiled).
import { spawn, spawnSync, type SpawnOptions } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildArgs, ChildResult } from "./sync-child.ts";

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_DIR = path.join(BENCH_DIR, "..");

const childOptions = (opts: Pick<SpawnOptions, "stdio" | "detached">): SpawnOptions => ({
  cwd: REPO_DIR,
  stdio: opts.stdio ?? ["pipe", "pipe", "inherit"],
  detached: opts.detached ?? false,
  env: { ...process.env, NODE_OPTIONS: "" },
});

/** node --import tsx <file> <json>: one Node process (the tsx CLI would add a second). */
export function spawnTs(file: string, arg: unknown, nodeOptions: string[] = [], opts: Pick<SpawnOptions, "stdio" | "detached"> = {}) {
  return spawn(process.execPath, [...nodeOptions, "--import", "tsx", path.join(BENCH_DIR, file), JSON.stringify(arg)], childOptions(opts));
}

// bench/tsconfig.build.json compiles sync-child.ts and what it imports into dist-bench/,
// once per benchmark run (incremental: a few seconds when nothing changed), so a sync
// process never runs code older than the sources.
let compiled = false;
function compileSyncChild(): void {
  if (compiled) return;
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", path.join(BENCH_DIR, "tsconfig.build.json")], { cwd: REPO_DIR, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`compiling the sync process (tsc -p bench/tsconfig.build.json) failed with code ${r.status}`);
  compiled = true;
}

/** node dist-bench/bench/<file>.js <json>: a bench file as tsc compiled it (only sync-child.ts and its imports are). */
function spawnCompiled(file: string, arg: unknown, nodeOptions: string[] = []) {
  compileSyncChild();
  const js = path.join(REPO_DIR, "dist-bench", "bench", file.replace(/\.ts$/, ".js"));
  return spawn(process.execPath, [...nodeOptions, js, JSON.stringify(arg)], childOptions({}));
}

/** Runs `file` with `arg` and returns the JSON of its `BENCH_RESULT {json}` stdout line. */
export async function runReporting<T>(file: string, arg: unknown, what: string, timeoutMs: number, nodeOptions: string[] = [], run: "tsx" | "compiled" = "tsx"): Promise<T> {
  const child = run === "compiled" ? spawnCompiled(file, arg, nodeOptions) : spawnTs(file, arg, nodeOptions);
  let out = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (d: string) => (out += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  clearTimeout(timer);
  const line = out.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
  if (code !== 0 || !line) {
    throw new Error(`${what} process exited with code ${code}${line ? "" : " and no result"} (see its stderr above)`);
  }
  return JSON.parse(line.slice("BENCH_RESULT ".length)) as T;
}

/** `nodeOptions`: flags for the sync's Node process (e.g. --max-old-space-size=192); none by default. Compiled, as the image runs it. */
export function runChild(args: ChildArgs, timeoutMs: number, nodeOptions: string[] = []): Promise<ChildResult> {
  return runReporting<ChildResult>("sync-child.ts", args, `${args.impl} ${args.mode} sync`, timeoutMs, nodeOptions, "compiled");
}
