// mpsync as the product runs it (`mpsync sync --inline`): createRuntime, then runMany
// over every source of the account — the five sources side by side, the engine keeping
// at most the account's `concurrency` WeChat requests in flight across them.
import { createLogger } from "../src/logging/logger.ts";
import { createRuntime } from "../src/runtime.ts";
import { runMany, syncTargets } from "../src/sync/run-many.ts";
import type { SyncFn } from "./sync-child.ts";

export const runMpsyncSync: SyncFn = async (config, args) => {
  const runtime = createRuntime(config, { logger: createLogger(config.logLevel, process.stderr) });
  return {
    async prepare() {
      await runtime.prisma.$connect();
      await runtime.redis.ping();
    },
    async sync() {
      const runs = await runMany(runtime.engine, syncTargets(config.accounts), { mode: args.mode, trigger: "manual" });
      return { runs };
    },
    close: () => runtime.close(),
  };
};
