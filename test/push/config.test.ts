// Push settings: WECHAT_PUSH_TOKEN / WECHAT_PUSH_AES_KEY for the WECHAT_APP_ID account,
// `push: { token, aesKey }` per account in the accounts file; a bad value is one problem
// naming the setting and never the value.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.ts";
import { ConfigError } from "../../src/config/errors.ts";
import { runMpsync } from "../jobs/harness.ts";

const AES = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR";
const base = { WECHAT_APP_ID: "wxone", WECHAT_APP_SECRET: "s3cret-one" };
const dir = mkdtempSync(path.join(tmpdir(), "mpsync-push-config-"));

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("push settings", () => {
  it("the env account takes WECHAT_PUSH_TOKEN and WECHAT_PUSH_AES_KEY (the key is optional)", () => {
    expect(loadConfig({ ...base, WECHAT_PUSH_TOKEN: "tok123", WECHAT_PUSH_AES_KEY: AES }).accounts[0]!.push).toEqual({ token: "tok123", aesKey: AES });
    expect(loadConfig({ ...base, WECHAT_PUSH_TOKEN: "tok123" }).accounts[0]!.push).toEqual({ token: "tok123" });
    expect(loadConfig(base).accounts[0]!.push).toBeUndefined();
  });

  it("invalid values are one problem each, naming the setting and not the value", () => {
    const p = problemsOf({ ...base, WECHAT_PUSH_TOKEN: "a!", WECHAT_PUSH_AES_KEY: "tooshort-secret-value" });
    expect(p).toEqual([
      "WECHAT_PUSH_TOKEN must be 3 to 32 letters or digits (the Token of the account's server settings)",
      "WECHAT_PUSH_AES_KEY must be the 43-character EncodingAESKey of the account's server settings",
    ]);
    expect(p.join(" ")).not.toContain("tooshort-secret-value");
    expect(problemsOf({ ...base, WECHAT_PUSH_AES_KEY: AES })).toEqual(["WECHAT_PUSH_TOKEN is required when WECHAT_PUSH_AES_KEY is set"]);
  });

  it("the accounts file takes push per account and names the bad field", () => {
    const good = path.join(dir, "good.json");
    writeFileSync(good, JSON.stringify({ accounts: [{ appId: "wxa", appSecret: "s-a", push: { token: "tokA", aesKey: AES } }, { appId: "wxb", appSecret: "s-b" }] }));
    const c = loadConfig({ MPSYNC_ACCOUNTS_FILE: good });
    expect(c.accounts.map((a) => a.push)).toEqual([{ token: "tokA", aesKey: AES }, undefined]);
    const bad = path.join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ accounts: [{ appId: "wxa", appSecret: "s-a", push: { token: "tokA", aesKey: "x".repeat(42) } }] }));
    expect(problemsOf({ MPSYNC_ACCOUNTS_FILE: bad })).toEqual(["MPSYNC_ACCOUNTS_FILE: accounts.0.push.aesKey must be the 43-character EncodingAESKey of the account's server settings"]);
    expect(problemsOf({ MPSYNC_ACCOUNTS_FILE: good, WECHAT_PUSH_TOKEN: "tok123" })).toEqual([
      "WECHAT_PUSH_TOKEN applies to the WECHAT_APP_ID account only; with MPSYNC_ACCOUNTS_FILE set push per account in the file",
    ]);
  });

  it("a bad value stops the start with one line naming the setting", async () => {
    const r = await runMpsync(["worker"], { ...base, WECHAT_PUSH_TOKEN: "x", DATABASE_URL: "postgresql://127.0.0.1:5432/none", REDIS_URL: "redis://127.0.0.1:6379" });
    expect(r.code).not.toBe(0);
    expect(r.all).toMatch(/WECHAT_PUSH_TOKEN must be 3 to 32 letters or digits/);
  });
});
