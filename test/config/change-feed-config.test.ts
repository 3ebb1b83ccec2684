// The change feed's settings: WEBHOOK_URL/WEBHOOK_SECRET, per-account webhooks, retention
// and the read API's token, validated at start-up with one message per problem and never
// a secret (nor a webhook URL, whose query may hold one) in the message.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.ts";
import { ConfigError } from "../../src/config/errors.ts";

const dir = mkdtempSync(path.join(tmpdir(), "mpsync-feed-config-"));
const ENV = { WECHAT_APP_ID: "wxone", WECHAT_APP_SECRET: "s3cret-one" };
const SECRET = "whsec-0123456789abcdef";

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("change feed configuration", () => {
  it("defaults: no endpoint, 30 days of retention, a public read API without token", () => {
    const c = loadConfig(ENV);
    expect(c.changes).toEqual({ webhooks: [], retentionDays: 30, webhookTimeoutMs: 10_000, webhookConcurrency: 8 });
    expect(c.http).toMatchObject({ readApiToken: undefined, readApiPublic: true });
  });

  it("WEBHOOK_URL with WEBHOOK_SECRET is an endpoint for every account; per-account webhooks come from the file", () => {
    const file = path.join(dir, "accounts.yaml");
    writeFileSync(
      file,
      `accounts:\n  - appId: wxa\n    appSecret: s1\n    webhooks:\n      - url: https://hooks.example.com/a\n        secret: ${SECRET}\n  - appId: wxb\n    appSecret: s2\n`,
    );
    const c = loadConfig({ MPSYNC_ACCOUNTS_FILE: file, WEBHOOK_URL: "https://all.example.com/in?key=abc", WEBHOOK_SECRET: SECRET, CHANGES_RETENTION_DAYS: "7", READ_API_TOKEN: "reader-0123456789abcdef", READ_API_PUBLIC: "false" });
    expect(c.changes!.webhooks).toEqual([
      { scope: "*", url: "https://all.example.com/in?key=abc", secret: SECRET },
      { scope: "wxa", url: "https://hooks.example.com/a", secret: SECRET },
    ]);
    expect(c.changes!.retentionDays).toBe(7);
    expect(c.http).toMatchObject({ readApiToken: "reader-0123456789abcdef", readApiPublic: false });
  });

  it("refuses bad webhook settings, naming each, echoing neither secret nor URL", () => {
    const p = problemsOf({ ...ENV, WEBHOOK_URL: "ftp://files.example.com/x?token=tok-abcdef", WEBHOOK_SECRET: "short-secret", READ_API_TOKEN: "tiny", READ_API_PUBLIC: "maybe", CHANGES_RETENTION_DAYS: "0" });
    expect(p).toEqual(
      expect.arrayContaining([
        "WEBHOOK_URL must be an absolute http(s) URL without user:password",
        "WEBHOOK_SECRET must be at least 16 characters",
        "READ_API_TOKEN must be at least 16 characters",
        'READ_API_PUBLIC must be true or false (got "maybe")',
        'CHANGES_RETENTION_DAYS must be an integer from 1 to 3650 (got "0")',
      ]),
    );
    expect(p.join("\n")).not.toMatch(/short-secret|tok-abcdef|tiny/);
    expect(problemsOf({ ...ENV, WEBHOOK_URL: "https://x.example.com/" })).toEqual(["WEBHOOK_SECRET is required when WEBHOOK_URL is set"]);
    expect(problemsOf({ ...ENV, WEBHOOK_SECRET: SECRET })).toEqual(["WEBHOOK_SECRET is set but WEBHOOK_URL is not"]);
    expect(problemsOf({ ...ENV, WEBHOOK_URL: "https://user:pw@x.example.com/", WEBHOOK_SECRET: SECRET })).toEqual(["WEBHOOK_URL must be an absolute http(s) URL without user:password"]);
  });

  it("refuses an account's webhook with a bad URL or a short secret, or listed twice", () => {
    const file = path.join(dir, "bad.json");
    writeFileSync(
      file,
      JSON.stringify({
        accounts: [
          { appId: "wxa", appSecret: "s1", webhooks: [{ url: "not a url", secret: SECRET }, { url: "https://h.example.com/", secret: "short-one" }] },
          { appId: "wxb", appSecret: "s2", webhooks: [{ url: "https://h.example.com/", secret: SECRET }, { url: "https://h.example.com/", secret: SECRET }] },
        ],
      }),
    );
    const p = problemsOf({ MPSYNC_ACCOUNTS_FILE: file });
    expect(p).toEqual(
      expect.arrayContaining([
        "MPSYNC_ACCOUNTS_FILE: accounts.0.webhooks.0.url must be an absolute http(s) URL without user:password",
        "MPSYNC_ACCOUNTS_FILE: accounts.0.webhooks.1.secret must be at least 16 characters",
      ]),
    );
    expect(p.join("\n")).not.toContain("short-one");
    const dup = path.join(dir, "dup.json");
    writeFileSync(dup, JSON.stringify({ accounts: [{ appId: "wxb", appSecret: "s2", webhooks: [{ url: "https://h.example.com/", secret: SECRET }, { url: "https://h.example.com/", secret: SECRET }] }] }));
    expect(problemsOf({ MPSYNC_ACCOUNTS_FILE: dup })).toEqual(["MPSYNC_ACCOUNTS_FILE: account wxb lists a webhook URL twice"]);
  });
});
