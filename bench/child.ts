// Runs bench/sync-child.ts in its own Node process and returns its report.
import { spawn } from "node:child_process";
import path from "node:path";
import { BENCH_DIR } from "./simulator.ts";
import type { ChildArgs, ChildResult } from "./sync-child.ts";

export const REPO_DIR = path.join(BENCH_DIR, "..");

/** node --import tsx <file> <json>: one Node process (the tsx CLI would add a second). */
export function spawnTs(file: string, arg: unknown, nodeOptions: string[] = []) {
  return spawn(process.execPath, [...nodeOptions, "--import", "tsx", path.join(BENCH_DIR, file), JSON.stringify(arg)], {
    cwd: REPO_DIR,
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, NODE_OPTIONS: "" },
  });
}

/** `nodeOptions`: flags for the sync's Node process (e.g. --max-old-space-size=192); none by default. */
export async function runChild(args: ChildArgs, timeoutMs: number, nodeOptions: string[] = []): Promise<ChildResult> {
  const child = spawnTs("sync-child.ts", args, nodeOptions);
  let out = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (d: string) => (out += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  clearTimeout(timer);
  const line = out.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
  if (code !== 0 || !line) {
    throw new Error(`${args.impl} ${args.mode} sync process exited with code ${code}${line ? "" : " and no result"} (see its stderr above)`);
  }
  return JSON.parse(line.slice("BENCH_RESULT ".length)) as ChildResult;
}
