// Server-level chores: reach the server, create the database, name failures clearly.
import pg from "pg";
import { databaseName, redactUrl, withDatabase } from "../config/database.ts";
import { DatabaseUnavailableError } from "./errors.ts";

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

/** Fails with DatabaseUnavailableError unless a connection to the database succeeds. */
export async function checkDatabase(databaseUrl: string): Promise<void> {
  try {
    await withClient(databaseUrl, (c) => c.query("select 1"));
  } catch (e) {
    throw new DatabaseUnavailableError(
      `DATABASE_URL: cannot use database at ${redactUrl(databaseUrl)} (${describe(e)})`,
      (e as { code?: string }).code,
      { cause: e },
    );
  }
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
