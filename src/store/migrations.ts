// Applies and writes Prisma migrations through Prisma's own schema engine compiled
// to WASM (@prisma/schema-engine-wasm), because the Prisma CLI needs a native engine
// it downloads from a host these machines cannot reach. The folder layout and the
// `_prisma_migrations` bookkeeping are Prisma's, so `prisma migrate deploy` works on
// the same folder wherever the native engine is available.
import { readFile, readdir, mkdir, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { parse as parseConnectionString } from "pg-connection-string";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import * as bg from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { MigrationList, SchemaEngine } from "@prisma/schema-engine-wasm";
import { PACKAGE_ROOT } from "../package-root.ts";
import { checkDatabase, ensureDatabase } from "./database.ts";
import { MIGRATIONS_DIR } from "./migration-state.ts";
import { compressHtmlWithLz4 } from "./html-compression.ts";
import { checkSearchSupport } from "./search/support.ts";

export const PRISMA_DIR = path.join(PACKAGE_ROOT, "prisma");
const NO_FILTERS = { externalTables: [], externalEnums: [] };

let wasmReady: Promise<void> | undefined;

// Node's WebAssembly global, typed narrowly (the ES lib this project targets has no WebAssembly types).
const Wasm = (globalThis as unknown as {
  WebAssembly: {
    compile(bytes: Uint8Array): Promise<object>;
    instantiate(module: object, imports: Record<string, Record<string, unknown>>): Promise<{ exports: unknown }>;
  };
}).WebAssembly;

/** Node 20 cannot import .wasm directly: instantiate it by hand, once per process. */
function loadWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmPath = path.join(path.dirname(require.resolve("@prisma/schema-engine-wasm")), "schema_engine_bg.wasm");
    const module = await Wasm.compile(await readFile(wasmPath));
    // The engine arms timers (query timeouts) that would keep a finished CLI alive for
    // ten seconds; unref them so they never hold the process open on their own.
    const imports: Record<string, unknown> = { ...bg };
    for (const key of Object.keys(imports).filter((k) => k.startsWith("__wbg_setTimeout_"))) {
      imports[key] = (fn: () => void, ms: number) => setTimeout(fn, ms >>> 0).unref();
    }
    const instance = await Wasm.instantiate(module, { "./schema_engine_bg.js": imports });
    const exports = instance.exports as Record<string, unknown> & { __wbindgen_start: () => void };
    (bg as unknown as { __wbg_set_wasm: (e: unknown) => void }).__wbg_set_wasm(exports);
    exports.__wbindgen_start();
  })();
  return wasmReady;
}

export interface MigrationPaths {
  schemaPath: string;
  migrationsDir: string;
}

export const defaultPaths: MigrationPaths = {
  schemaPath: path.join(PRISMA_DIR, "schema.prisma"),
  migrationsDir: MIGRATIONS_DIR,
};

let charPatched = false;
/**
 * Two fixes to @prisma/adapter-pg 7.10 for the schema engine (the version is pinned in package.json).
 * The schema engine reads pg_catalog columns of type "char" (OID 18) when it
 * describes a database, and @prisma/adapter-pg 7.10 rejects that type ("Column type
 * 'char' could not be deserialized"). pg returns those values as strings already, so
 * reporting the column as text (OID 25) is exact. Patched on the adapter's query class,
 * which transactions share; the version is pinned in package.json.
 */
async function patchAdapter(factory: PrismaPg): Promise<void> {
  if (charPatched) return;
  const adapter = await factory.connect();
  let proto = Object.getPrototypeOf(adapter) as Record<string, unknown> | null;
  while (proto && !Object.prototype.hasOwnProperty.call(proto, "performIO")) proto = Object.getPrototypeOf(proto);
  if (!proto) throw new Error("@prisma/adapter-pg changed: performIO not found (update src/store/migrations.ts)");
  const original = proto.performIO as (this: unknown, q: unknown) => Promise<{ fields: { dataTypeID: number }[] }>;
  proto.performIO = async function (this: unknown, q: unknown) {
    const result = await original.call(this, q);
    for (const f of result.fields) if (f.dataTypeID === 18) f.dataTypeID = 25;
    return result;
  };
  // The adapter runs a migration script split at every ";", which cuts a function body
  // (the search migration's) in pieces and runs the statements one by one. The native
  // engine sends the script whole: as one simple query, which Postgres runs in one
  // implicit transaction, so a failing migration leaves nothing half applied.
  let scriptProto = Object.getPrototypeOf(adapter) as Record<string, unknown> | null;
  while (scriptProto && !Object.prototype.hasOwnProperty.call(scriptProto, "executeScript")) scriptProto = Object.getPrototypeOf(scriptProto);
  if (!scriptProto) throw new Error("@prisma/adapter-pg changed: executeScript not found (update src/store/migrations.ts)");
  scriptProto.executeScript = async function (this: { client: pg.ClientBase | pg.Pool; onError(e: unknown): never }, script: string) {
    try {
      await this.client.query(script);
    } catch (error) {
      this.onError(error);
    }
  };
  charPatched = true;
  await adapter.dispose();
}

async function withEngine<T>(databaseUrl: string, schemaPath: string, fn: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  await loadWasm();
  const schema = await readFile(schemaPath, "utf8");
  // Discrete fields, not connectionString: the adapter builds its shadow database's
  // pool as {...pool.options, database}, and a connectionString would override that.
  // The pool is ours so that it can be closed: the engine does not release it on free().
  const fields = parseConnectionString(databaseUrl) as Record<string, unknown>;
  const pool = new pg.Pool({ ...fields, port: fields.port ? Number(fields.port) : undefined, max: 2, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 1_000 } as pg.PoolConfig);
  const factory = new PrismaPg(pool);
  await patchAdapter(factory);
  const adapter = bindMigrationAwareSqlAdapterFactory(factory);
  const engine = (await bg.SchemaEngine.new({ datamodels: [[schemaPath, schema]] }, () => {}, adapter)) as SchemaEngine;
  try {
    return await fn(engine);
  } finally {
    engine.free();
    await pool.end();
  }
}

/** Reads prisma/migrations/ the way the Prisma CLI does. */
export async function loadMigrationList(migrationsDir: string): Promise<MigrationList> {
  const lockPath = path.join(migrationsDir, "migration_lock.toml");
  const lockContent = existsSync(lockPath) ? await readFile(lockPath, "utf8") : null;
  const dirs = existsSync(migrationsDir)
    ? (await readdir(migrationsDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort()
    : [];
  const migrationDirectories = await Promise.all(
    dirs.map(async (name) => {
      const file = path.join(migrationsDir, name, "migration.sql");
      const content = existsSync(file)
        ? ({ tag: "ok", value: await readFile(file, "utf8") } as const)
        : ({ tag: "error", value: "migration.sql not found" } as const);
      return { path: name, migrationFile: { path: "migration.sql", content } };
    }),
  );
  return {
    baseDir: migrationsDir,
    lockfile: { path: "migration_lock.toml", content: lockContent },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}

/** Applies pending migrations; returns the names applied (empty when up to date). */
export async function applyMigrations(databaseUrl: string, paths: MigrationPaths = defaultPaths): Promise<string[]> {
  await checkSearchSupport(databaseUrl);
  return withEngine(databaseUrl, paths.schemaPath, async (engine) => {
    const migrationsList = await loadMigrationList(paths.migrationsDir);
    const out = await engine.applyMigrations({ migrationsList, filters: NO_FILTERS });
    await compressHtmlWithLz4(databaseUrl);
    return out.appliedMigrationNames;
  });
}

/** `mpsync migrate`: creates the database when missing, checks it answers, applies pending migrations. */
export async function migrateDatabase(databaseUrl: string): Promise<string[]> {
  await ensureDatabase(databaseUrl);
  await checkDatabase(databaseUrl);
  return applyMigrations(databaseUrl);
}

/**
 * SQL that would take a database built from the committed migrations to the state
 * schema.prisma describes. Empty when the two agree. Needs a database to replay the
 * migrations in (a temporary shadow database is created and dropped on that server).
 */
export async function pendingSchemaDiff(databaseUrl: string, paths: MigrationPaths = defaultPaths): Promise<string> {
  return withEngine(databaseUrl, paths.schemaPath, async (engine) => {
    const migrationsList = await loadMigrationList(paths.migrationsDir);
    const schema = await readFile(paths.schemaPath, "utf8");
    const from = migrationsList.migrationDirectories.length > 0 ? { tag: "migrations" as const, ...migrationsList } : { tag: "empty" as const };
    const result = await engine.diff({
      from,
      to: { tag: "schemaDatamodel", files: [{ path: paths.schemaPath, content: schema }] },
      script: true,
      exitCode: null,
      filters: NO_FILTERS,
    });
    const sql = (result.stdout ?? "").trim();
    return sql === "-- This is an empty migration." ? "" : sql;
  });
}

/** Writes prisma/migrations/<timestamp>_<name>/migration.sql; returns its folder, or null when nothing changed. */
export async function createMigration(databaseUrl: string, name: string, paths: MigrationPaths = defaultPaths): Promise<string | null> {
  const sql = await pendingSchemaDiff(databaseUrl, paths);
  if (sql === "") return null;
  const stamp = new Date().toISOString().replace(/[-:TZ.]/g, "").slice(0, 14);
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "") || "migration";
  const dir = path.join(paths.migrationsDir, `${stamp}_${slug}`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "migration.sql"), sql + "\n");
  const lock = path.join(paths.migrationsDir, "migration_lock.toml");
  if (!existsSync(lock)) {
    await writeFile(lock, '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n');
  }
  return dir;
}
