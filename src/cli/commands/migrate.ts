import type { Command } from "commander";
import { loadConfig } from "../../config/config.ts";
import { ensureDatabase, checkDatabase } from "../../store/database.ts";
import { applyMigrations } from "../../store/migrations.ts";

export async function migrate(databaseUrl: string): Promise<string[]> {
  await ensureDatabase(databaseUrl);
  await checkDatabase(databaseUrl);
  return applyMigrations(databaseUrl);
}

export function register(program: Command): void {
  program
    .command("migrate")
    .description("create the database if missing and apply pending migrations from prisma/migrations")
    .action(async () => {
      const config = loadConfig();
      const applied = await migrate(config.databaseUrl);
      console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(", ")}` : "database is up to date: no migration to apply");
    });
}
