import type { Command } from "commander";
import { loadConfig } from "../../config/config.ts";
import { checkRedis } from "../../redis/connection.ts";
import { migrate } from "./migrate.ts";
import { pendingSchemaDiff } from "../../store/migrations.ts";

export function register(program: Command): void {
  program
    .command("demo")
    .description("migrate the database and show the schema status")
    .action(async () => {
      const config = loadConfig();
      await checkRedis(config.redisUrl);
      const applied = await migrate(config.databaseUrl);
      console.log(applied.length ? `applied ${applied.length} migration(s)` : "database is up to date");
      const diff = await pendingSchemaDiff(config.databaseUrl);
      console.log(diff === "" ? "schema.prisma matches the committed migrations" : `schema.prisma differs from the migrations:\n${diff}`);
    });
}
