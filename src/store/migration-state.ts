// Which committed migrations a database lacks, from one query to Prisma's bookkeeping
// table (`_prisma_migrations`) against the folder names in prisma/migrations/. Kept apart
// from migrations.ts so that every command can check without loading the schema engine.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import type pg from "pg";
import { PACKAGE_ROOT } from "../package-root.ts";

export const MIGRATIONS_DIR = path.join(PACKAGE_ROOT, "prisma", "migrations");

/** The migration folders, oldest first: the list `migrate` applies (loadMigrationList reads the same). */
export function committedMigrations(migrationsDir: string = MIGRATIONS_DIR): string[] {
  if (!existsSync(migrationsDir)) return [];
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/**
 * The committed migrations this database has not finished applying, oldest first: all of
 * them when it was never migrated (no bookkeeping table). A failed or rolled-back attempt
 * counts as pending: `mpsync migrate` is what reports it.
 */
export async function pendingMigrations(client: pg.ClientBase, committed: string[]): Promise<string[]> {
  let applied: Set<string>;
  try {
    const r = await client.query<{ migration_name: string }>(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
    );
    applied = new Set(r.rows.map((row) => row.migration_name));
  } catch (e) {
    if ((e as { code?: string }).code !== "42P01") throw e; // undefined_table: never migrated
    applied = new Set();
  }
  return committed.filter((name) => !applied.has(name));
}
