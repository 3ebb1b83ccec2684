// One validated configuration from env and an optional accounts file (JSON or YAML):
// defaults, several accounts with their token kinds, schedules and concurrency, and one
// message per problem naming the setting, never a secret.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.ts";
import { ConfigError } from "../../src/config/errors.ts";
import { runMpsync } from "../jobs/harness.ts";

const dir = mkdtempSync(path.join(tmpdir(), "mpsync-config-"));
function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

function problemsOf(env: NodeJS.ProcessEnv, opts: { requireAccounts?: boolean } = {}): string[] {
  try {
    loadConfig(env, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("WECHAT_APP_ID and WECHAT_APP_SECRET alone configure one account with defaults", () => {
    const c = loadConfig({ WECHAT_APP_ID: "wxone", WECHAT_APP_SECRET: "s3cret-one" }, { requireAccounts: true });
    expect(c.accounts).toEqual([
      { appId: "wxone", appSecret: "s3cret-one", tokenKind: "stable", concurrency: 2, schedule: { incrementalEveryMinutes: 15, fullCron: "0 3 * * *", enabled: true } },
    ]);
    expect(c.redisPrefix).toBe("mpsync");
    expect(c.worker).toEqual({ concurrency: 4, shutdownTimeoutMs: 30_000, lockDurationMs: 30_000 });
    expect(c.http).toEqual({ port: undefined, host: "0.0.0.0", adminToken: undefined, readApiToken: undefined, readApiPublic: true, consoleSession: { idleMs: 3_600_000, maxMs: 28_800_000 }, authFailuresPerMinute: 10 });
  });

  it("reads several accounts from YAML and from JSON with token kinds, schedules and concurrency", () => {
    const yaml = file(
      "accounts.yaml",
      `accounts:
  - appId: wxstable
    name: Main
    appSecret: secret-stable
    concurrency: 4
    schedule: { incrementalEveryMinutes: 5, fullCron: "30 2 * * 0" }
  - appId: wxlegacy
    tokenKind: legacy
    appSecret: secret-legacy
    schedule: { enabled: false }
  - appId: wxauthorizer
    tokenKind: authorizer
    componentAppId: wxcomponent
    componentAppSecret: secret-component
    componentVerifyTicket: ticket-1
    authorizerRefreshToken: refresh-1
`,
    );
    const c = loadConfig({ MPSYNC_ACCOUNTS_FILE: yaml, MPSYNC_REDIS_PREFIX: "tenant-a", WORKER_CONCURRENCY: "8", HTTP_PORT: "9100", ADMIN_TOKEN: "0123456789abcdef0123" });
    expect(c.accounts.map((a) => [a.appId, a.tokenKind, a.concurrency, a.schedule])).toEqual([
      ["wxstable", "stable", 4, { incrementalEveryMinutes: 5, fullCron: "30 2 * * 0", enabled: true }],
      ["wxlegacy", "legacy", 2, { incrementalEveryMinutes: 15, fullCron: "0 3 * * *", enabled: false }],
      ["wxauthorizer", "authorizer", 2, { incrementalEveryMinutes: 15, fullCron: "0 3 * * *", enabled: true }],
    ]);
    expect(c.redisPrefix).toBe("tenant-a");
    expect(c.worker.concurrency).toBe(8);
    expect(c.http.port).toBe(9100);

    const json = file("accounts.json", JSON.stringify({ accounts: [{ appId: "wxjson", appSecret: "secret-json", tokenKind: "legacy" }] }));
    expect(loadConfig({ MPSYNC_ACCOUNTS_FILE: json }).accounts.map((a) => [a.appId, a.tokenKind])).toEqual([["wxjson", "legacy"]]);
  });

  it("reports every problem of the accounts file at once, naming each setting and no secret", () => {
    const bad = file(
      "bad.yaml",
      `accounts:
  - appId: wxa
    appSecret: leak-me-not-1
    concurrency: 0
  - appId: wxa
    appSecret: leak-me-not-2
  - appId: wxb
    tokenKind: authorizer
    componentAppSecret: leak-me-not-3
  - appId: wxc
    tokenKind: legacy
  - appId: wxd
    appSecret: leak-me-not-4
    appsecret: leak-me-not-5
    schedule: { fullCron: "every night", incrementalEveryMinutes: 0 }
`,
    );
    const problems = problemsOf({ MPSYNC_ACCOUNTS_FILE: bad });
    const text = problems.join("\n");
    expect(text).toMatch(/MPSYNC_ACCOUNTS_FILE: accounts\.0\.concurrency/);
    expect(text).toMatch(/MPSYNC_ACCOUNTS_FILE: accounts\.2\.componentAppId is required for tokenKind authorizer/);
    expect(text).toMatch(/MPSYNC_ACCOUNTS_FILE: accounts\.2\.authorizerRefreshToken is required/);
    expect(text).toMatch(/MPSYNC_ACCOUNTS_FILE: accounts\.3\.appSecret is required for tokenKind legacy/);
    expect(text).toMatch(/MPSYNC_ACCOUNTS_FILE: accounts\.4\.schedule\.fullCron must be a cron pattern/);
    expect(text).toMatch(/MPSYNC_ACCOUNTS_FILE: accounts\.4\.schedule\.incrementalEveryMinutes/);
    expect(text).toMatch(/MPSYNC_ACCOUNTS_FILE: accounts\.4 .*appsecret/);
    expect(text).not.toMatch(/leak-me-not/);
  });

  it("names duplicate app ids, unreadable files and unparsable YAML", () => {
    const dup = file("dup.json", JSON.stringify({ accounts: [{ appId: "wxa", appSecret: "x1" }, { appId: "wxa", appSecret: "x2" }] }));
    expect(problemsOf({ MPSYNC_ACCOUNTS_FILE: dup })).toEqual(["MPSYNC_ACCOUNTS_FILE: appId wxa is listed twice"]);
    expect(problemsOf({ MPSYNC_ACCOUNTS_FILE: path.join(dir, "missing.yaml") })[0]).toMatch(/^MPSYNC_ACCOUNTS_FILE cannot be read \(ENOENT/);
    expect(problemsOf({ MPSYNC_ACCOUNTS_FILE: file("broken.yaml", "accounts: [\n  - appId: x\n") })[0]).toMatch(/^MPSYNC_ACCOUNTS_FILE is not valid YAML/);
    expect(problemsOf({ MPSYNC_ACCOUNTS_FILE: file("empty.json", `{"accounts": []}`) })[0]).toMatch(/^MPSYNC_ACCOUNTS_FILE: accounts/);
  });

  it("names each bad environment setting", () => {
    const problems = problemsOf({
      WECHAT_APP_ID: "wxa",
      WECHAT_APP_SECRET: "secret-env-value",
      WECHAT_TOKEN_KIND: "magic",
      WORKER_CONCURRENCY: "0",
      WORKER_SHUTDOWN_TIMEOUT_MS: "soon",
      HTTP_PORT: "http",
      ADMIN_TOKEN: "short",
      MPSYNC_REDIS_PREFIX: "bad prefix!",
      REDIS_URL: "http://localhost",
      WECHAT_MAX_RESPONSE_BYTES: "lots",
    });
    const settings = ["WECHAT_TOKEN_KIND", "WORKER_CONCURRENCY", "WORKER_SHUTDOWN_TIMEOUT_MS", "HTTP_PORT", "ADMIN_TOKEN", "MPSYNC_REDIS_PREFIX", "REDIS_URL", "WECHAT_MAX_RESPONSE_BYTES"];
    for (const setting of settings) {
      expect(problems.filter((p) => p.startsWith(setting))).toHaveLength(1);
    }
    expect(problems).toHaveLength(settings.length);
    expect(problems.join(" ")).not.toContain("secret-env-value");
    expect(problems.join(" ")).not.toContain("short");
  });

  it("deletion circuit breaker: per account in the file, by MPSYNC_DELETION_BREAKER_* for the env account, default when unset", () => {
    const f = file(
      "breaker.yaml",
      "accounts:\n  - appId: wxa\n    appSecret: sa\n    deletionBreaker: { percent: 50, rows: 100 }\n  - appId: wxb\n    appSecret: sb\n    deletionBreaker: { rows: 3 }\n  - appId: wxc\n    appSecret: sc\n",
    );
    expect(loadConfig({ MPSYNC_ACCOUNTS_FILE: f }).accounts.map((a) => a.deletionBreaker)).toEqual([{ percent: 50, rows: 100 }, { percent: 20, rows: 3 }, undefined]);
    const env = { WECHAT_APP_ID: "wxone", WECHAT_APP_SECRET: "s" };
    expect(loadConfig({ ...env, MPSYNC_DELETION_BREAKER_PERCENT: "35" }).accounts[0]!.deletionBreaker).toEqual({ percent: 35, rows: 10 });
    expect(loadConfig({ ...env, MPSYNC_DELETION_BREAKER_ROWS: "0" }).accounts[0]!.deletionBreaker).toEqual({ percent: 20, rows: 0 });
    expect(loadConfig(env).accounts[0]!.deletionBreaker).toBeUndefined();
    expect(problemsOf({ ...env, MPSYNC_DELETION_BREAKER_PERCENT: "120" })).toEqual(['MPSYNC_DELETION_BREAKER_PERCENT must be an integer from 0 to 100 (got "120")']);
    const bad = file("breaker-bad.json", JSON.stringify({ accounts: [{ appId: "wxa", appSecret: "sa", deletionBreaker: { percent: -1, limit: 3 } }] }));
    expect(problemsOf({ MPSYNC_ACCOUNTS_FILE: bad }).join("\n")).toMatch(/accounts\.0\.deletionBreaker/);
    expect(problemsOf({ MPSYNC_ACCOUNTS_FILE: f, MPSYNC_DELETION_BREAKER_ROWS: "5" })).toEqual([
      "MPSYNC_DELETION_BREAKER_ROWS applies to the WECHAT_APP_ID account only; with MPSYNC_ACCOUNTS_FILE set deletionBreaker per account in the file",
    ]);
  });

  it("HTTP_TRUST_PROXY takes a hop count or proxy addresses/CIDRs, never 'trust everything'", () => {
    const http = (v: string | undefined) => loadConfig({ HTTP_TRUST_PROXY: v }).http.trustProxy;
    expect(http(undefined)).toBeUndefined();
    expect(http("false")).toBeUndefined();
    expect(http("0")).toBeUndefined();
    expect(http("1")).toBe(1);
    expect(http("10.0.0.0/8, 127.0.0.1,::1,fd00::/8,loopback")).toEqual(["10.0.0.0/8", "127.0.0.1", "::1", "fd00::/8", "loopback"]);
    for (const v of ["true", "TRUE", "yes"]) expect(problemsOf({ HTTP_TRUST_PROXY: v })).toEqual([expect.stringMatching(/^HTTP_TRUST_PROXY=\S+ would trust any client's X-Forwarded-For; give the number of proxies/)]);
    for (const v of ["0.0.0.0/0", "::/0", "10.0.0.0/33", "proxy.example", "11"]) expect(problemsOf({ HTTP_TRUST_PROXY: v })).toEqual([expect.stringMatching(/^HTTP_TRUST_PROXY/)]);
  });

  it("console session lifetimes and the failed-authentication limit: defaults, settings, bad values named", () => {
    expect(loadConfig({}).http).toMatchObject({ consoleSession: { idleMs: 3_600_000, maxMs: 8 * 3_600_000 }, authFailuresPerMinute: 10 });
    expect(loadConfig({ CONSOLE_SESSION_IDLE_MINUTES: "15", CONSOLE_SESSION_MAX_HOURS: "2", HTTP_AUTH_FAILURES_PER_MINUTE: "5" }).http).toMatchObject({
      consoleSession: { idleMs: 15 * 60_000, maxMs: 2 * 3_600_000 },
      authFailuresPerMinute: 5,
    });
    expect(problemsOf({ CONSOLE_SESSION_IDLE_MINUTES: "0", CONSOLE_SESSION_MAX_HOURS: "forever", HTTP_AUTH_FAILURES_PER_MINUTE: "-1" }).map((p) => p.split(" ")[0])).toEqual([
      "CONSOLE_SESSION_IDLE_MINUTES",
      "CONSOLE_SESSION_MAX_HOURS",
      "HTTP_AUTH_FAILURES_PER_MINUTE",
    ]);
  });

  it("SEARCH_INDEX: off unless set, a boolean like the other switches", () => {
    expect(loadConfig({}).search).toEqual({ index: false });
    expect(loadConfig({ SEARCH_INDEX: "true" }).search).toEqual({ index: true });
    expect(loadConfig({ SEARCH_INDEX: "off" }).search).toEqual({ index: false });
    expect(problemsOf({ SEARCH_INDEX: "maybe" })).toEqual(['SEARCH_INDEX must be true or false (got "maybe")']);
  });

  it("requires an account where one is needed", () => {
    expect(problemsOf({}, { requireAccounts: true })).toEqual([
      "no WeChat account configured: set WECHAT_APP_ID and WECHAT_APP_SECRET, or MPSYNC_ACCOUNTS_FILE",
    ]);
    expect(loadConfig({}).accounts).toEqual([]);
  });

  it("mpsync worker fails at start-up with one message per problem", async () => {
    const r = await runMpsync(["worker"], { WECHAT_APP_ID: "wxa", WECHAT_APP_SECRET: "", WORKER_CONCURRENCY: "100", MPSYNC_ACCOUNTS_FILE: "" });
    expect(r.code).toBe(1);
    expect(r.all.trim().split("\n")).toEqual(["mpsync: configuration errors:", expect.stringMatching(/^  - WORKER_CONCURRENCY must be an integer from 1 to 64/), expect.stringMatching(/^  - WECHAT_APP_SECRET /)]);
  });
});
