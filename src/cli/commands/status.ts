// mpsync status: per account and source, the last run, its result and counters, the next
// scheduled runs, pending/active runs and throttling.
import type { Command } from "commander";
import { loadConfig, plannerSettings } from "../../config/config.ts";
import { describeQuota, quotaReport } from "../../status/quota.ts";
import { statusReport, targetOut, type TargetStatus } from "../../status/report.ts";
import { describePush, pushStatus } from "../../status/push.ts";
import { createPushStore } from "../../store/push-store.ts";
import { createRedis, REDIS_COMMAND_TIMEOUT_MS } from "../../redis/connection.ts";
import { createPrisma } from "../../store/prisma.ts";
import { createReadStore } from "../../store/read-store.ts";
import type { CliContext } from "../context.ts";
import { printJson } from "../output.ts";
import { preflight } from "../preflight.ts";

function describe(t: TargetStatus): string {
  const r = t.lastRun;
  // a walk resumed over several rows: its totals, not only the last part's
  const w = r?.walk;
  const last = r && w
    ? `last ${r.mode} ${r.status}${r.resume_at ? ` (resumes at ${r.resume_at}: ${r.paused_reason})` : ""} at ${r.finished_at ?? r.started_at} (${w.items_seen} seen, ${w.inserted} inserted, ${w.updated} updated, ${w.marked_deleted} deleted${w.runs > 1 ? `, over ${w.runs} runs` : ""}${r.error_message ? `; ${r.error_message}` : ""})`
    : "never run";
  const queued = [t.activeJobId ? `running (job ${t.activeJobId})` : "", t.pendingJobId ? `pending (job ${t.pendingJobId})` : ""].filter(Boolean).join(", ");
  const next = `next incremental ${t.nextIncremental ?? "not scheduled"}, next full ${t.nextFull ?? "not scheduled"}`;
  const held = t.deletionsHeld > 0 ? `${t.deletionsHeld} deletions held (mpsync deletions status)` : "";
  return [`${t.appId} ${t.source}: ${last}`, queued, next, t.throttledUntil ? `throttled until ${t.throttledUntil}` : "", held].filter(Boolean).join(" | ");
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command("status")
    .description("last run, result, counters, next planned runs and throttling per account and source; the daily quota and incremental interval per account and API")
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean }) => {
      const config = await preflight({ accounts: true, redis: true, database: true });
      const connection = createRedis(config.redisUrl, { commandTimeout: REDIS_COMMAND_TIMEOUT_MS });
      connection.on("error", () => {}); // reported by the command that fails
      const queue = (await ctx.jobs()).openQueue(connection, config.redisPrefix);
      queue.bull.on("error", () => {}); // likewise
      const prisma = createPrisma(config.databaseUrl, config.db);
      try {
        const targets = await statusReport(createReadStore(prisma), await queue.targets(config.accounts));
        const quotas = await quotaReport(connection, config.redisPrefix, config.accounts, plannerSettings(config).quotaReservePercent);
        const push = await pushStatus(createPushStore(prisma), connection, config.redisPrefix, config.accounts, plannerSettings(config).quotaReservePercent);
        if (flags.json) printJson({ targets: targets.map(targetOut), quotas, push });
        else {
          for (const t of targets) console.log(describe(t));
          for (const q of quotas) console.log(describeQuota(q));
          // accounts without push settings have nothing to say here (--json lists them as not configured)
          for (const p of push) if (p.configured) console.log(describePush(p));
        }
      } finally {
        await queue.close().catch(() => {});
        connection.disconnect();
        await prisma.$disconnect();
      }
    });
}
