import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import path from "node:path";
import { loadConfig } from "../../src/config/config.ts";
import { ConfigError } from "../../src/config/errors.ts";

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, "../../bin/mpsync.js");

async function mpsync(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, timeout: 30_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe("bad configuration gives one line naming the setting", () => {
  it.each([
    ["malformed DATABASE_URL", { DATABASE_URL: "not a url" }, /^mpsync: configuration error: DATABASE_URL is not a valid URL/],
    ["wrong scheme", { DATABASE_URL: "mysql://root@127.0.0.1/x" }, /DATABASE_URL must start with postgresql:\/\//],
    ["unreachable database", { DATABASE_URL: "postgresql://postgres:hunter2secret@127.0.0.1:1/mpsync" }, /^mpsync: DATABASE_URL: cannot reach .*127\.0\.0\.1:1.*ECONNREFUSED/],
    ["invalid PUBLIC_URL", { PUBLIC_URL: "mpsync.example.com" }, /^mpsync: configuration error: PUBLIC_URL must be an http\(s\) URL \(got "mpsync\.example\.com"\)$/],
    ["missing Redis", { REDIS_URL: "redis://127.0.0.1:1" }, /^mpsync: REDIS_URL: cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/],
  ])("%s", async (_label, env, pattern) => {
    const r = await mpsync(["demo"], env);
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stderr).not.toContain("hunter2secret");
  });

  it("lists every problem at once", () => {
    try {
      loadConfig({ DATABASE_URL: "x", LOG_LEVEL: "loud", DATABASE_POOL_SIZE: "0", WECHAT_APP_ID: "wx1" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems;
      expect(problems.some((p) => p.startsWith("DATABASE_URL"))).toBe(true);
      expect(problems.some((p) => p.startsWith("LOG_LEVEL"))).toBe(true);
      expect(problems.some((p) => p.startsWith("DATABASE_POOL_SIZE"))).toBe(true);
      expect(problems.some((p) => p.startsWith("WECHAT_APP_SECRET"))).toBe(true);
    }
  });
});
