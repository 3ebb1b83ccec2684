// What every command checks before it starts, so that a configuration, database or Redis
// problem is reported the same way everywhere: one line naming the setting, no stack.
import { loadConfig, type AppConfig } from "../config/config.ts";
import { checkRedis } from "../redis/connection.ts";
import { checkDatabase } from "../store/database.ts";

export interface Needs {
  /** a WeChat account must be configured */
  accounts?: boolean;
  database?: boolean;
  redis?: boolean;
}

export async function preflight(needs: Needs): Promise<AppConfig> {
  const config = loadConfig(process.env, { requireAccounts: needs.accounts === true });
  if (needs.redis) await checkRedis(config.redisUrl);
  if (needs.database) await checkDatabase(config.databaseUrl);
  return config;
}
