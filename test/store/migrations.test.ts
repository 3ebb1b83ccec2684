import { describe, expect, it } from "vitest";
import { mkdtemp, readFile, writeFile, cp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { randomBytes } from "node:crypto";
import { applyMigrations, defaultPaths, pendingSchemaDiff } from "../../src/store/migrations.ts";
import { withDatabase } from "../../src/config/database.ts";
import { serverUrl, testDatabaseName } from "../helpers/servers.ts";
import { afterAll } from "vitest";

// A database of this file's own, created empty (not from the template): the point is
// to watch the migrations build it.
const name = testDatabaseName(randomBytes(6).toString("hex"));
const url = withDatabase(serverUrl, name);
const admin = new pg.Pool({ connectionString: withDatabase(serverUrl, "postgres"), max: 1 });
await admin.query(`CREATE DATABASE "${name}"`);
afterAll(async () => {
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

const TABLES: Record<string, string[]> = {
  accounts: ["id", "app_id", "name", "created_at", "updated_at", "throttled_until", "last_error_code", "last_error_at"],
  published_articles: ["account_id", "article_id", "create_time", "update_time", "is_deleted", "deleted_at", "first_seen_at", "last_seen_at"],
  published_news_items: [
    "account_id", "article_id", "idx", "title", "author", "digest", "content", "content_source_url", "thumb_media_id",
    "thumb_url", "show_cover_pic", "need_open_comment", "only_fans_can_comment", "url", "is_deleted", "deleted_at",
  ],
  materials: ["account_id", "media_id", "type", "name", "url", "create_time", "update_time", "is_deleted", "deleted_at", "first_seen_at", "last_seen_at"],
  material_news_items: [
    "account_id", "media_id", "idx", "title", "author", "digest", "content", "content_source_url", "thumb_media_id",
    "thumb_url", "show_cover_pic", "need_open_comment", "only_fans_can_comment", "url", "is_deleted", "deleted_at",
  ],
  sync_runs: [
    "id", "account_id", "source", "mode", "trigger", "status", "started_at", "finished_at", "pages", "api_calls", "items_seen",
    "inserted", "updated", "unchanged", "marked_deleted", "error_code", "error_message",
  ],
};

describe("migrations", () => {
  it("create every documented table and column on an empty database, then apply nothing", async () => {
    const first = await applyMigrations(url);
    expect(first.length).toBeGreaterThan(0);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const { rows } = await db.query<{ table_name: string; column_name: string }>(
        "select table_name, column_name from information_schema.columns where table_schema = 'public'",
      );
      for (const [table, columns] of Object.entries(TABLES)) {
        const present = rows.filter((r) => r.table_name === table).map((r) => r.column_name);
        expect(present, table).toEqual(expect.arrayContaining(columns));
      }
      const applied = await db.query("select migration_name from _prisma_migrations where finished_at is not null");
      expect(applied.rows.map((r) => r.migration_name).sort()).toEqual([...first].sort());
    } finally {
      await db.end();
    }
    expect(await applyMigrations(url)).toEqual([]);
  });

  it("the committed migrations produce exactly schema.prisma", async () => {
    expect(await pendingSchemaDiff(url)).toBe("");
  });

  it("a field added to schema.prisma without a migration is caught", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "mpsync-schema-"));
    const schemaPath = path.join(dir, "schema.prisma");
    const schema = await readFile(defaultPaths.schemaPath, "utf8");
    await writeFile(schemaPath, schema.replace("model Account {", "model Account {\n  nickname String? @map(\"nickname\")"));
    await cp(defaultPaths.migrationsDir, path.join(dir, "migrations"), { recursive: true });
    const diff = await pendingSchemaDiff(url, { schemaPath, migrationsDir: path.join(dir, "migrations") });
    expect(diff).toMatch(/ALTER TABLE "accounts" ADD COLUMN\s+"nickname" TEXT/);
  });
});
