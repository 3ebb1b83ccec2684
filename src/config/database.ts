import { ConfigError } from "./errors.ts";

export const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/mpsync";
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/** Validates a postgres URL; the message names the setting, never the password. */
export function parseDatabaseUrl(value: string, setting = "DATABASE_URL"): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError([`${setting} is not a valid URL (expected postgresql://user@host:5432/dbname)`]);
  }
  if (url.protocol !== "postgresql:" && url.protocol !== "postgres:") {
    throw new ConfigError([`${setting} must start with postgresql:// (got ${url.protocol}//)`]);
  }
  if (!url.hostname && !url.searchParams.get("host")) throw new ConfigError([`${setting} has no host`]);
  if (url.pathname.length <= 1) throw new ConfigError([`${setting} names no database (add /dbname)`]);
  return value;
}

export function parseRedisUrl(value: string, setting = "REDIS_URL"): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError([`${setting} is not a valid URL (expected redis://host:6379)`]);
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new ConfigError([`${setting} must start with redis:// or rediss:// (got ${url.protocol}//)`]);
  }
  if (!/^\/?(\d+)?$/.test(url.pathname)) {
    throw new ConfigError([`${setting} database index must be a non-negative integer, as in redis://host:6379/0 (got "${url.pathname.slice(1)}")`]);
  }
  return value;
}

/** The database index a Redis URL selects (0 when it names none). */
export function redisDatabaseIndex(value: string): number {
  const db = new URL(value).pathname.slice(1);
  return db ? Number(db) : 0;
}

export function loadDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return parseDatabaseUrl(env.DATABASE_URL || DEFAULT_DATABASE_URL);
}

/** The database name and a URL of the same server pointing at another database. */
export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = "/" + database;
  return url.toString();
}

export function databaseName(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
}

/** A URL safe to print: the password is replaced. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return "<invalid url>";
  }
}

/** host:port/dbname: names a database without user or password (e.g. which one a worker wrote to). */
export function databaseLabel(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    const host = url.hostname || url.searchParams.get("host") || "localhost";
    return `${host}:${url.port || "5432"}/${databaseName(databaseUrl)}`;
  } catch {
    return "<invalid url>";
  }
}
