// mpsync webhooks: what the webhook endpoints received (pending, delivered, dead) and
// replaying the events after a cursor. Needs Postgres only: a running worker sends.
import { InvalidArgumentError, type Command } from "commander";
import { changeFeedConfigOf } from "../../config/change-feed.ts";
import { createChangeFeedStore, type ChangeFeedStore } from "../../store/change-feed-store.ts";
import { createPrisma } from "../../store/prisma.ts";
import { NoSuchEndpointError, replayWebhooks, webhookStatus } from "../../webhooks/operator.ts";
import type { WebhookEndpointConfig } from "../../config/change-feed.ts";
import { UserFacingError } from "../errors.ts";
import { printJson } from "../output.ts";
import { preflight } from "../preflight.ts";

async function withStore<T>(fn: (store: ChangeFeedStore, endpoints: WebhookEndpointConfig[]) => Promise<T>): Promise<T> {
  const config = await preflight({ database: true });
  const prisma = createPrisma(config.databaseUrl, config.db);
  try {
    return await fn(createChangeFeedStore(prisma), changeFeedConfigOf(config).webhooks);
  } finally {
    await prisma.$disconnect();
  }
}

function cursorArg(raw: string): bigint {
  if (!/^\d{1,19}$/.test(raw)) throw new InvalidArgumentError("expected an event id (a decimal integer; 0 for every retained event)");
  return BigInt(raw);
}

export function register(program: Command): void {
  const cmd = program.command("webhooks").description("webhook deliveries: their state per endpoint, and replaying events");

  cmd
    .command("status")
    .description("per endpoint: pending, delivered and dead deliveries, the last error; the newest dead deliveries")
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean }) => {
      const s = await withStore(webhookStatus);
      if (flags.json) return printJson(s);
      if (s.endpoints.length === 0) return console.log("no webhook endpoint configured (WEBHOOK_URL, or webhooks in the accounts file)");
      for (const e of s.endpoints) {
        const scope = e.scope === "*" ? "every account" : e.scope;
        const pending = e.pending > 0 ? ` (oldest pending event ${e.oldest_pending_event_id})` : "";
        const err = e.last_error ? ` | last error: ${e.last_error}` : "";
        console.log(`${e.url} [${scope}]: ${e.delivered} delivered, ${e.pending} pending${pending}, ${e.dead} dead; dispatched up to event ${e.cursor}${err}`);
      }
      for (const d of s.dead) console.log(`dead: event ${d.event_id} to ${d.url} after ${d.attempts} attempts (${d.last_error ?? "no error recorded"})`);
      if (s.dead.length > 0) console.log(`replay with: mpsync webhooks replay --after <event id before the first to resend>`);
    });

  cmd
    .command("replay")
    .description("deliver again every retained event after the cursor (delivered, dead or pending alike); a running worker sends them")
    .requiredOption("--after <cursor>", "event id: events after it are delivered again (0: every retained event)", cursorArg)
    .option("--url <url>", "only the endpoint with this URL, as configured")
    .option("--account <appId>", "only this account's own endpoints")
    .option("--json", "print JSON")
    .action(async (flags: { after: bigint; url?: string; account?: string; json?: boolean }) => {
      try {
        const r = await withStore((store, endpoints) => replayWebhooks(store, endpoints, { after: flags.after, url: flags.url, scope: flags.account }));
        if (flags.json) printJson({ after: flags.after.toString(), ...r });
        else console.log(`${r.deliveries} deliveries to ${r.endpoints} endpoint(s) queued again for the events after ${flags.after}; a running worker sends them`);
      } catch (e) {
        if (e instanceof NoSuchEndpointError) throw new UserFacingError(e.message);
        throw e;
      }
    });
}
