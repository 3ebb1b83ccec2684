// mpsync deletions: the deletions the circuit breaker held (a full walk found too many
// rows absent at once to trust one walk), and applying them at once when they are real.
import { type Command } from "commander";
import { createPrisma } from "../../store/prisma.ts";
import { createSyncStore, type SyncStore } from "../../store/sync-store.ts";
import { UnknownAccountError } from "../../sync/errors.ts";
import { applyHeldDeletions, heldDeletions } from "../../sync/held-deletions.ts";
import { SOURCES, type Source } from "../../sync/types.ts";
import { sourceArg } from "../args.ts";
import { UserFacingError } from "../errors.ts";
import { printJson } from "../output.ts";
import { preflight } from "../preflight.ts";

interface Flags {
  account?: string;
  source?: Source;
  json?: boolean;
}

async function withStore<T>(flags: Flags, fn: (store: SyncStore, filter: { appIds: string[]; source?: Source }) => Promise<T>): Promise<T> {
  const config = await preflight({ accounts: true, database: true });
  if (flags.account && !config.accounts.some((a) => a.appId === flags.account)) throw new UnknownAccountError(flags.account);
  const prisma = createPrisma(config.databaseUrl, config.db);
  try {
    const appIds = flags.account ? [flags.account] : config.accounts.map((a) => a.appId);
    return await fn(createSyncStore(prisma, config.databaseUrl), { appIds, source: flags.source });
  } finally {
    await prisma.$disconnect();
  }
}

export function register(program: Command): void {
  const cmd = program.command("deletions").description("deletions held by the circuit breaker: show them, or apply them now");
  const narrow = (c: Command): Command =>
    c.option("--account <appId>", "only this configured account").option("--source <source>", `only this source: ${SOURCES.join(" | ")}`, sourceArg).option("--json", "print JSON");

  narrow(cmd.command("status").description("held deletions per account and source")).action(async (flags: Flags) => {
    const held = await withStore(flags, heldDeletions);
    if (flags.json) {
      const rows = held.map((h) => ({ account: h.appId, source: h.source, held: h.held, run_id: h.runId, held_since: h.heldSince.toISOString() }));
      printJson({ held_deletions: rows });
    } else if (held.length === 0) console.log("no deletions held");
    else {
      for (const h of held) {
        console.log(
          `${h.appId} ${h.source}: ${h.held} deletions held since ${h.heldSince.toISOString()} (run ${h.runId}); ` +
            `the next consistent full run applies them if they are absent again, or: mpsync deletions apply --account ${h.appId} --source ${h.source}`,
        );
      }
    }
  });

  narrow(cmd.command("apply").description("mark the held deletions deleted now (they were absent from a complete full walk)")).action(async (flags: Flags) => {
    const done = await withStore(flags, applyHeldDeletions);
    if (flags.json) {
      const rows = done.map((d) => ({ account: d.appId, source: d.source, held: d.held, applied: d.applied, status: d.status, run_id: d.runId }));
      printJson({ applied: rows });
    } else if (done.length === 0) console.log("no deletions held");
    else {
      for (const d of done) {
        console.log(
          d.status === "applied"
            ? `${d.appId} ${d.source}: ${d.applied} rows marked deleted (${d.held} deletions were held)`
            : `${d.appId} ${d.source}: a sync of this source is running; nothing applied, try again when it ends`,
        );
      }
    }
    const locked = done.filter((d) => d.status === "locked");
    if (locked.length > 0) throw new UserFacingError(`${locked.length} source(s) not applied: a sync was running`);
  });
}
