// What every command checks before it starts, so that a configuration, database or Redis
// problem is reported the same way everywhere: one line naming the setting, no stack.
// (`mpsync migrate` and `mpsync demo` migrate the database themselves: they skip the database check.)
import { loadConfig, type AppConfig } from "../config/config.ts";
import { checkRedis } from "../redis/connection.ts";
import { checkDatabaseReady } from "../store/database.ts";

export interface Needs {
  /** a WeChat account must be configured */
  accounts?: boolean;
  database?: boolean;
  redis?: boolean;
}

export async function preflight(needs: Needs): Promise<AppConfig> {
  const config = loadConfig(process.env, { requireAccounts: needs.accounts === true });
  if (needs.redis) await checkRedis(config.redisUrl);
  // a missing or unmigrated database: one line naming `mpsync migrate`, before any table is touched
  if (needs.database) await checkDatabaseReady(config.databaseUrl);
  return config;
}
