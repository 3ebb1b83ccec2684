// mpsync resync: queue a full run of every (or the given) account and source, deduplicated.
import type { Command } from "commander";
import { SOURCES } from "../../sync/types.ts";
import { sourceArg } from "../args.ts";
import type { CliContext } from "../context.ts";
import { consoleOutput, runQueuedSync, type QueuedSyncFlags } from "../queued-sync.ts";

export function register(program: Command, ctx: CliContext): void {
  program
    .command("resync")
    .description("queue a full run (at most one pending per account and source, however often asked)")
    .option("--account <appId>", "only this configured account")
    .option("--source <source>", `only this source: ${SOURCES.join(" | ")}`, sourceArg)
    .option("--wait", "follow the runs to the end; exit non-zero if one failed")
    .option("--json", "print the result as JSON")
    .action(async (flags: Omit<QueuedSyncFlags, "full">) => {
      await runQueuedSync(await ctx.jobs(), { ...flags, full: true }, consoleOutput());
    });
}
