// mpsync accounts: the configured accounts (never their secrets) and their health: stored
// throttle and last error, and with --check one live API call per account.
import type { Command } from "commander";
import { loadConfig, type AccountConfig } from "../../config/config.ts";
import { iso } from "../../format/iso.ts";
import { createLogger } from "../../logging/logger.ts";
import { createRuntime } from "../../runtime.ts";
import { checkDatabase } from "../../store/database.ts";
import type { AccountState } from "../../store/read-store.ts";

/** What may be shown of an account: everything but credentials. */
function publicView(a: AccountConfig) {
  return { appId: a.appId, name: a.name ?? null, tokenKind: a.tokenKind, concurrency: a.concurrency, schedule: a.schedule, ...(a.componentAppId ? { componentAppId: a.componentAppId } : {}) };
}

function health(state: AccountState | undefined, now: Date): string {
  if (!state) return "never synced";
  if (state.throttledUntil && state.throttledUntil > now) return `throttled until ${iso(state.throttledUntil)}`;
  if (state.lastErrorCode !== null || state.lastErrorMessage) return `last error ${state.lastErrorCode ?? ""} at ${iso(state.lastErrorAt)}: ${state.lastErrorMessage}`;
  return "ok";
}

export function register(program: Command): void {
  program
    .command("accounts")
    .description("configured accounts (without secrets) and their health")
    .option("--check", "call WeChat once per account (get_materialcount) to check its credentials")
    .option("--json", "print JSON")
    .action(async (flags: { check?: boolean; json?: boolean }) => {
      const config = loadConfig(process.env, { requireAccounts: true });
      await checkDatabase(config.databaseUrl);
      // logs to stderr: stdout carries the answer (and stays valid JSON with --json)
      const runtime = createRuntime(config, { logger: createLogger(config.logLevel, process.stderr) });
      try {
        const now = new Date();
        const states = await runtime.reads.accountStates(config.accounts.map((a) => a.appId));
        const rows = [];
        for (const a of config.accounts) {
          let live: string | undefined;
          if (flags.check) {
            try {
              await runtime.clientFor(a.appId).getMaterialCount();
              live = "ok";
            } catch (e) {
              live = e instanceof Error ? e.message : String(e);
            }
          }
          rows.push({ ...publicView(a), health: health(states.get(a.appId), now), ...(live !== undefined ? { check: live } : {}) });
        }
        if (flags.json) console.log(JSON.stringify(rows, null, 2));
        else for (const r of rows) console.log(`${r.appId}${r.name ? ` (${r.name})` : ""} ${r.tokenKind}: ${r.health}${r.check ? ` | check: ${r.check}` : ""}`);
      } finally {
        await runtime.close();
      }
    });
}
