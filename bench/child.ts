// Starts the benchmark's own processes (the simulator, each sync, the floor client,
// the Ctrl-C cleanup) and reads a child's one-line report. spawnTs is the one place
// that decides how a bench/*.ts file is run.
import { spawn, type SpawnOptions } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildArgs, ChildResult } from "./sync-child.ts";

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_DIR = path.join(BENCH_DIR, "..");

/** node --import tsx <file> <json>: one Node process (the tsx CLI would add a second). */
export function spawnTs(file: string, arg: unknown, nodeOptions: string[] = [], opts: Pick<SpawnOptions, "stdio" | "detached"> = {}) {
  return spawn(process.execPath, [...nodeOptions, "--import", "tsx", path.join(BENCH_DIR, file), JSON.stringify(arg)], {
    cwd: REPO_DIR,
    stdio: opts.stdio ?? ["pipe", "pipe", "inherit"],
    detached: opts.detached ?? false,
    env: { ...process.env, NODE_OPTIONS: "" },
  });
}

/** Runs `file` with `arg` and returns the JSON of its `BENCH_RESULT {json}` stdout line. */
export async function runReporting<T>(file: string, arg: unknown, what: string, timeoutMs: number, nodeOptions: string[] = []): Promise<T> {
  const child = spawnTs(file, arg, nodeOptions);
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

/** `nodeOptions`: flags for the sync's Node process (e.g. --max-old-space-size=192); none by default. */
export function runChild(args: ChildArgs, timeoutMs: number, nodeOptions: string[] = []): Promise<ChildResult> {
  return runReporting<ChildResult>("sync-child.ts", args, `${args.impl} ${args.mode} sync`, timeoutMs, nodeOptions);
}
