// mpsync accounts: the configured accounts (never their secrets) and their health: stored
// throttle and last error, and with --check their credentials checked live. Exits 1 when
// a check fails.
import type { Command } from "commander";
import type { AccountConfig } from "../../config/config.ts";
import { iso } from "../../format/iso.ts";
import { createRuntime } from "../../runtime.ts";
import type { AccountState } from "../../store/read-store.ts";
import { printJson } from "../output.ts";
import { preflight } from "../preflight.ts";
import { UserFacingError } from "../errors.ts";

/** What may be shown of an account: everything but credentials (snake_case, like every JSON mpsync prints). */
function publicView(a: AccountConfig) {
  return {
    app_id: a.appId,
    name: a.name ?? null,
    token_kind: a.tokenKind,
    concurrency: a.concurrency,
    schedule: { incremental_every_minutes: a.schedule.incrementalEveryMinutes, full_cron: a.schedule.fullCron, enabled: a.schedule.enabled },
    ...(a.componentAppId ? { component_app_id: a.componentAppId } : {}),
  };
}

function health(state: AccountState | undefined, now: Date): string {
  if (!state) return "never synced";
  if (state.throttledUntil && state.throttledUntil > now) return `throttled until ${iso(state.throttledUntil)}`;
  if (state.lastErrorCode !== null || state.lastErrorMessage) return `last error ${state.lastErrorCode ?? ""} at ${iso(state.lastErrorAt)}: ${state.lastErrorMessage}`;
  return "ok";
}

interface Check {
  ok: boolean;
  secret_checked: boolean;
  /** what this check could not cover, or the failure */
  message: string | null;
}

export function register(program: Command): void {
  program
    .command("accounts")
    .description("configured accounts (without secrets) and their health")
    .option("--check", "check each account's credentials with WeChat (stable: stable_token without force_refresh) and make one get_materialcount call; exit 1 if one fails")
    .option("--json", "print JSON")
    .action(async (flags: { check?: boolean; json?: boolean }) => {
      // tokens are shared through Redis: a check needs it, and says so now rather than hang
      const config = await preflight({ accounts: true, database: true, redis: flags.check === true });
      const runtime = createRuntime(config);
      let failed = 0;
      try {
        const now = new Date();
        const states = await runtime.reads.accountStates(config.accounts.map((a) => a.appId));
        const rows = [];
        for (const a of config.accounts) {
          let check: Check | undefined;
          if (flags.check) {
            try {
              const r = await runtime.clientFor(a.appId).checkCredentials();
              check = { ok: true, secret_checked: r.secretChecked, message: r.unchecked };
            } catch (e) {
              failed++;
              check = { ok: false, secret_checked: false, message: e instanceof Error ? e.message : String(e) };
            }
          }
          rows.push({ ...publicView(a), health: health(states.get(a.appId), now), ...(check ? { check } : {}) });
        }
        if (flags.json) printJson(rows);
        else
          for (const r of rows) {
            const c = r.check ? ` | check: ${r.check.ok ? "ok" : "FAILED"}${r.check.message ? ` (${r.check.message})` : ""}` : "";
            console.log(`${r.app_id}${r.name ? ` (${r.name})` : ""} ${r.token_kind}: ${r.health}${c}`);
          }
      } finally {
        await runtime.close();
      }
      if (failed > 0) throw new UserFacingError(`${failed} of ${config.accounts.length} account check(s) failed`);
    });
}
