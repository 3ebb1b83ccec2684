// Settings of the change feed: webhook endpoints (WEBHOOK_URL/WEBHOOK_SECRET for every
// account, `webhooks` per account in the accounts file), delivery bounds, and how long
// change events and delivery records are kept. Secrets stay here, in memory.
import { z } from "zod";

/** Shortest webhook secret accepted: an HMAC key must not be guessable. */
export const MIN_WEBHOOK_SECRET = 16;

/** A webhook URL: absolute http(s), no credentials in it (they would be shown by status). */
export const webhookUrlSchema = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return (u.protocol === "http:" || u.protocol === "https:") && u.username === "" && u.password === "";
  } catch {
    return false;
  }
}, "must be an absolute http(s) URL without user:password");

export const accountWebhookSchema = z
  .object({ url: webhookUrlSchema, secret: z.string().min(MIN_WEBHOOK_SECRET, `must be at least ${MIN_WEBHOOK_SECRET} characters`) })
  .strict();

/** One endpoint: `scope` "*" receives every account's events (WEBHOOK_URL), else one app_id's. */
export interface WebhookEndpointConfig {
  scope: string;
  url: string;
  secret: string;
}

export const ALL_ACCOUNTS_SCOPE = "*";

export interface ChangeFeedConfig {
  /** every endpoint: WEBHOOK_URL first, then the accounts' own */
  webhooks: WebhookEndpointConfig[];
  /** change events and delivery records older than this are pruned */
  retentionDays: number;
  /** one delivery attempt gives up after this long (counts as a failure) */
  webhookTimeoutMs: number;
  /** deliveries one process sends at once */
  webhookConcurrency: number;
}

export const CHANGE_FEED_DEFAULTS: ChangeFeedConfig = { webhooks: [], retentionDays: 30, webhookTimeoutMs: 10_000, webhookConcurrency: 8 };

type IntSetting = (name: string, def: number, min: number, max: number) => number;

export function loadChangeFeedConfig(
  env: NodeJS.ProcessEnv,
  accounts: { appId: string; webhooks?: { url: string; secret: string }[] }[],
  intSetting: IntSetting,
  problems: string[],
): ChangeFeedConfig {
  const webhooks: WebhookEndpointConfig[] = [];
  const url = env.WEBHOOK_URL || undefined;
  const secret = env.WEBHOOK_SECRET || undefined;
  if (url !== undefined) {
    const ok = webhookUrlSchema.safeParse(url);
    // the URL is not echoed: it may carry a token in its query
    if (!ok.success) problems.push(`WEBHOOK_URL must be an absolute http(s) URL without user:password`);
    if (secret === undefined) problems.push("WEBHOOK_SECRET is required when WEBHOOK_URL is set");
    else if (secret.length < MIN_WEBHOOK_SECRET) problems.push(`WEBHOOK_SECRET must be at least ${MIN_WEBHOOK_SECRET} characters`);
    if (ok.success && secret !== undefined && secret.length >= MIN_WEBHOOK_SECRET) webhooks.push({ scope: ALL_ACCOUNTS_SCOPE, url, secret });
  } else if (secret !== undefined) problems.push("WEBHOOK_SECRET is set but WEBHOOK_URL is not");
  for (const a of accounts) {
    const seen = new Set<string>();
    for (const w of a.webhooks ?? []) {
      if (seen.has(w.url)) problems.push(`MPSYNC_ACCOUNTS_FILE: account ${a.appId} lists a webhook URL twice`);
      else webhooks.push({ scope: a.appId, url: w.url, secret: w.secret });
      seen.add(w.url);
    }
  }
  return {
    webhooks,
    retentionDays: intSetting("CHANGES_RETENTION_DAYS", CHANGE_FEED_DEFAULTS.retentionDays, 1, 3650),
    webhookTimeoutMs: intSetting("WEBHOOK_TIMEOUT_MS", CHANGE_FEED_DEFAULTS.webhookTimeoutMs, 100, 120_000),
    webhookConcurrency: intSetting("WEBHOOK_CONCURRENCY", CHANGE_FEED_DEFAULTS.webhookConcurrency, 1, 256),
  };
}

/** The configuration's change feed, or the defaults for configurations built by hand. */
export function changeFeedConfigOf(config: { changes?: ChangeFeedConfig }): ChangeFeedConfig {
  return config.changes ?? CHANGE_FEED_DEFAULTS;
}
