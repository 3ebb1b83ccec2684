// `mpsync simulator` as an operator runs it: prints its URL, serves, stops on SIGTERM.
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { call } from "./http.ts";

const bin = path.resolve(import.meta.dirname, "../../bin/mpsync.js");

describe("mpsync simulator", () => {
  it("serves the seeded lists with the given app credentials and stops on SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      [bin, "simulator", "--port", "0", "--published", "3", "--images", "2", "--app-id", "wxclisim", "--app-secret", "cli-secret-123"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", () => {
          const m = /listening on (http:\/\/\S+) /.exec(out);
          if (m && out.includes("WECHAT_TOKEN_KIND")) resolve(m[1]!);
        });
        child.once("exit", (code) => reject(new Error(`exited ${code}: ${err}`)));
      });
      expect(out).not.toContain("cli-secret-123");
      // it prints the environment that points mpsync at it (a secret given on the command line is not echoed)
      expect(out).toContain(`export WECHAT_API_BASE_URL=${url} WECHAT_APP_ID=wxclisim WECHAT_APP_SECRET=<the value of --app-secret> WECHAT_TOKEN_KIND=stable`);
      const t = await call(url, "/cgi-bin/token", { query: { grant_type: "client_credential", appid: "wxclisim", secret: "cli-secret-123" } });
      const page = await call(url, "/cgi-bin/freepublish/batchget", { query: { access_token: t.json.access_token }, body: { offset: 0, count: 20 } });
      expect(page.json).toMatchObject({ total_count: 3, item_count: 3 });
      const counts = await call(url, "/cgi-bin/material/get_materialcount", { query: { access_token: t.json.access_token } });
      expect(counts.json.image_count).toBe(2);
      child.kill("SIGTERM");
      const [code] = await once(child, "exit");
      expect(code).toBe(0);
      expect(out).toContain("WeChat simulator stopped");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("refuses a non-numeric port", async () => {
    const child = spawn(process.execPath, [bin, "simulator", "--port", "abc"], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const [code] = await once(child, "exit");
    expect(code).not.toBe(0);
    expect(err).toMatch(/--port.*integer/);
  });
});
