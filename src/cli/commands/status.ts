// mpsync status: per account and source, the last run, its result and counters, the next
// scheduled runs, pending/active runs and throttling.
import type { Command } from "commander";
import { loadConfig } from "../../config/config.ts";
import { statusReport, targetOut, type TargetStatus } from "../../status/report.ts";
import { checkRedis, createRedis } from "../../redis/connection.ts";
import { checkDatabase } from "../../store/database.ts";
import { createPrisma } from "../../store/prisma.ts";
import { createReadStore } from "../../store/read-store.ts";
import type { CliContext } from "../context.ts";

function describe(t: TargetStatus): string {
  const r = t.lastRun;
  const last = r
    ? `last ${r.mode} ${r.status} at ${r.finished_at ?? r.started_at} (${r.items_seen} seen, ${r.inserted} inserted, ${r.updated} updated, ${r.marked_deleted} deleted${r.error_message ? `; ${r.error_message}` : ""})`
    : "never run";
  const queued = [t.activeJobId ? `running (job ${t.activeJobId})` : "", t.pendingJobId ? `pending (job ${t.pendingJobId})` : ""].filter(Boolean).join(", ");
  const next = `next incremental ${t.nextIncremental ?? "not scheduled"}, next full ${t.nextFull ?? "not scheduled"}`;
  const held = t.deletionsHeld > 0 ? `${t.deletionsHeld} deletions held (mpsync deletions status)` : "";
  return [`${t.appId} ${t.source}: ${last}`, queued, next, t.throttledUntil ? `throttled until ${t.throttledUntil}` : "", held].filter(Boolean).join(" | ");
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command("status")
    .description("last run, result, counters, next scheduled run and throttling per account and source")
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean }) => {
      const config = loadConfig(process.env, { requireAccounts: true });
      await checkRedis(config.redisUrl);
      await checkDatabase(config.databaseUrl);
      const connection = createRedis(config.redisUrl);
      const queue = (await ctx.jobs()).openQueue(connection, config.redisPrefix);
      const prisma = createPrisma(config.databaseUrl, config.db);
      try {
        const targets = await statusReport(createReadStore(prisma), await queue.targets(config.accounts));
        if (flags.json) console.log(JSON.stringify({ targets: targets.map(targetOut) }, null, 2));
        else for (const t of targets) console.log(describe(t));
      } finally {
        await queue.close().catch(() => {});
        connection.disconnect();
        await prisma.$disconnect();
      }
    });
}
