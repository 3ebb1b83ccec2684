// npm run db:migration -- <name>: writes the next migration from the difference
// between the committed migrations and prisma/schema.prisma.
import { createMigration } from "../src/store/migrations.ts";
import { loadDatabaseUrl } from "../src/config/database.ts";
import { ensureDatabase } from "../src/store/database.ts";

const name = process.argv[2];
if (!name) {
  console.error("usage: npm run db:migration -- <name>");
  process.exit(2);
}
// The engine replays the migrations in a temporary shadow database on this server.
const url = loadDatabaseUrl();
await ensureDatabase(url);
const dir = await createMigration(url, name);
console.log(dir ? `wrote ${dir}/migration.sql` : "schema.prisma matches the committed migrations: nothing to write");
