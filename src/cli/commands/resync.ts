// mpsync resync: queue a full run of every (or the given) account and source, deduplicated.
import type { Command } from "commander";
import { SOURCES } from "../../sync/types.ts";
import { consoleOutput, runQueuedSync, type QueuedSyncFlags } from "../queued-sync.ts";
import { sourceArg } from "./sync.ts";

export function register(program: Command): void {
  program
    .command("resync")
    .description("queue a full run (at most one pending per account and source, however often asked)")
    .option("--account <appId>", "only this configured account")
    .option("--source <source>", `only this source: ${SOURCES.join(" | ")}`, sourceArg)
    .option("--wait", "follow the runs to the end; exit non-zero if one failed")
    .option("--json", "print the result as JSON")
    .action(async (flags: Omit<QueuedSyncFlags, "full">) => {
      await runQueuedSync({ ...flags, full: true }, consoleOutput());
    });
}
