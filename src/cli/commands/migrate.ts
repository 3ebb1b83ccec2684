// mpsync migrate: create the database when missing and apply pending migrations.
import type { Command } from "commander";
import { loadConfig } from "../../config/config.ts";
import { migrateDatabase } from "../../store/migrations.ts";

export function register(program: Command): void {
  program
    .command("migrate")
    .description("create the database if missing and apply pending migrations from prisma/migrations")
    .action(async () => {
      const config = loadConfig();
      const applied = await migrateDatabase(config.databaseUrl);
      console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(", ")}` : "database is up to date: no migration to apply");
    });
}
