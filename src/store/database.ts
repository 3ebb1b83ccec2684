// Server-level chores: reach the server, create the database, name failures clearly.
import pg from "pg";
import { databaseLabel, databaseName, redactUrl, withDatabase } from "../config/database.ts";
import { DatabaseNotMigratedError, DatabaseUnavailableError } from "./errors.ts";
import { committedMigrations, MIGRATIONS_DIR, pendingMigrations } from "./migration-state.ts";

function describe(e: unknown): string {
  const err = e as { code?: string; message?: string };
  return err.code ? `${err.code}: ${err.message ?? ""}`.trim() : (err.message ?? String(e));
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

function unavailable(databaseUrl: string, e: unknown): DatabaseUnavailableError {
  return new DatabaseUnavailableError(
    `DATABASE_URL: cannot use database at ${redactUrl(databaseUrl)} (${describe(e)})`,
    (e as { code?: string }).code,
    { cause: e },
  );
}

/** Fails with DatabaseUnavailableError unless a connection to the database succeeds. */
export async function checkDatabase(databaseUrl: string): Promise<void> {
  try {
    await withClient(databaseUrl, (c) => c.query("select 1"));
  } catch (e) {
    throw unavailable(databaseUrl, e);
  }
}

const RUN_MIGRATE = "run `mpsync migrate`";

/**
 * What every command using the database checks first, on one connection: the database
 * answers (else DatabaseUnavailableError) and has every committed migration applied (else
 * DatabaseNotMigratedError, one line naming `mpsync migrate`), rather than failing later
 * on a missing table.
 */
export async function checkDatabaseReady(databaseUrl: string, migrationsDir: string = MIGRATIONS_DIR): Promise<void> {
  const committed = committedMigrations(migrationsDir);
  const where = databaseLabel(databaseUrl);
  let pending: string[];
  try {
    pending = await withClient(databaseUrl, (c) => pendingMigrations(c, committed));
  } catch (e) {
    if ((e as { code?: string }).code === "3D000") {
      // invalid_catalog_name: the database itself is missing; migrate creates it
      throw new DatabaseNotMigratedError(`${unavailable(databaseUrl, e).message}: ${RUN_MIGRATE} to create and migrate it`, committed);
    }
    throw unavailable(databaseUrl, e);
  }
  if (pending.length === 0) return;
  const message =
    pending.length === committed.length
      ? `DATABASE_URL: database ${where} is not migrated: ${RUN_MIGRATE}`
      : `DATABASE_URL: database ${where} lacks ${pending.length} migration(s) (${pending.join(", ")}): ${RUN_MIGRATE}`;
  throw new DatabaseNotMigratedError(message, pending);
}

/** Creates the database named in the URL when it does not exist yet. */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const name = databaseName(databaseUrl);
  try {
    return await withClient(withDatabase(databaseUrl, "postgres"), async (c) => {
      const r = await c.query("select 1 from pg_database where datname = $1", [name]);
      if (r.rowCount) return false;
      await c.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      return true;
    });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "42P04") return false; // created concurrently by another process
    throw new DatabaseUnavailableError(
      `DATABASE_URL: cannot reach the server of ${redactUrl(databaseUrl)} (${describe(e)})`,
      code,
      { cause: e },
    );
  }
}
