// mpsync search reindex: index the news items whose search document is NULL (synced before
// SEARCH_INDEX was on, or while it was off), in batches; idempotent, safe beside a running
// worker (which does the same at start). Progress on stderr, the counts on stdout.
import type { Command } from "commander";
import { searchIndexOn } from "../../config/config.ts";
import { createPrisma } from "../../store/prisma.ts";
import { reindexSearch, unindexedCounts } from "../../store/search/backfill.ts";
import { UserFacingError } from "../errors.ts";
import { printJson } from "../output.ts";
import { preflight } from "../preflight.ts";
import { onStopSignal } from "../signals.ts";

export function register(program: Command): void {
  const cmd = program.command("search").description("the search index of news items (SEARCH_INDEX)");
  cmd
    .command("reindex")
    .description("index the news items not indexed yet (synced while SEARCH_INDEX was off); safe to run again")
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean }) => {
      const config = await preflight({ database: true });
      // indexing while the workers write NULL would be undone by their next changed rows
      if (!searchIndexOn(config)) throw new UserFacingError("search is off: set SEARCH_INDEX=true (on the workers too) and run mpsync search reindex again");
      const prisma = createPrisma(config.databaseUrl, config.db);
      const stop = new AbortController();
      const off = onStopSignal(() => stop.abort());
      try {
        const before = await unindexedCounts(prisma);
        console.error(`to index: ${before.published} published and ${before.material} material news items`);
        const done = await reindexSearch(prisma, {
          signal: stop.signal,
          onBatch: ({ source, indexed }) => console.error(`${source}: ${indexed} of ${before[source]} indexed`),
        });
        const left = await unindexedCounts(prisma);
        if (flags.json) printJson({ indexed: done, unindexed: left });
        else console.log(`indexed ${done.published} published and ${done.material} material news items; not indexed now: ${left.published + left.material}`);
      } finally {
        off();
        await prisma.$disconnect();
      }
    });
}
