// Migrations against an empty database of each test's own (not cloned from the
// template): the point is to watch the migrations build it.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtemp, readFile, writeFile, cp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { randomBytes } from "node:crypto";
import { applyMigrations, defaultPaths, pendingSchemaDiff } from "../../src/store/migrations.ts";
import { withDatabase } from "../../src/config/database.ts";
import { admin, serverUrl, testDatabaseName } from "../helpers/servers.ts";

let url = "";
let name = "";
beforeEach(async () => {
  name = testDatabaseName(randomBytes(6).toString("hex"));
  url = withDatabase(serverUrl, name);
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
});
afterEach(async () => {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
});

/**
 * The tables and columns README.md documents (its "## Tables" section): per `### \`table\``
 * heading, every backticked identifier after the first colon (the column list) and outside
 * parentheses (those hold values and notes). "the same content columns as `other_table`"
 * takes that table's columns after `idx`.
 */
function documentedColumns(readme: string): Map<string, string[]> {
  const start = readme.indexOf("\n## Tables\n");
  expect(start, "README has a ## Tables section").toBeGreaterThanOrEqual(0);
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const out = new Map<string, string[]>();
  for (const m of section.matchAll(/\n### `([a-z_]+)`\n([\s\S]*?)(?=\n### |$)/g)) {
    let text = m[2]!.slice(m[2]!.indexOf(":") + 1);
    while (/\([^()]*\)/.test(text)) text = text.replace(/\([^()]*\)/g, "");
    const columns: string[] = [];
    for (const [, id] of text.matchAll(/`([a-z][a-z0-9_]*)`/g)) {
      const other = out.get(id!);
      if (other) columns.push(...other.slice(other.indexOf("idx") + 1));
      else columns.push(id!);
    }
    out.set(m[1]!, [...new Set(columns)]);
  }
  return out;
}

const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");

describe("migrations", () => {
  it("create every table and column README documents, on an empty database, then apply nothing", async () => {
    const documented = documentedColumns(readme);
    // the parser read the section (a guard against it silently finding nothing)
    expect([...documented.keys()]).toEqual(
      expect.arrayContaining(["accounts", "material_news_items", "materials", "published_articles", "published_news_items", "sync_runs"]),
    );
    expect(documented.get("sync_runs")).toEqual(expect.arrayContaining(["consistency_note", "error_code"]));
    expect(documented.get("material_news_items")).toEqual(expect.arrayContaining(["media_id", "title", "only_fans_can_comment", "deleted_at"]));

    const first = await applyMigrations(url);
    expect(first.length).toBeGreaterThan(0);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const { rows } = await db.query<{ table_name: string; column_name: string }>(
        "select table_name, column_name from information_schema.columns where table_schema = 'public'",
      );
      for (const [table, columns] of documented) {
        const present = rows.filter((r) => r.table_name === table).map((r) => r.column_name);
        expect(present, table).toEqual(expect.arrayContaining(columns));
      }
      // this server has lz4 (Debian's Postgres 15): the HTML columns use it (src/store/html-compression.ts)
      const compression = await db.query<{ c: string }>(
        `select relname || '.' || attname || '=' || attcompression::text as c from pg_attribute a join pg_class r on r.oid = a.attrelid
          where relname in ('published_news_items', 'material_news_items') and attname in ('content', 'content_html') order by 1`,
      );
      expect(compression.rows.map((r) => r.c)).toEqual([
        "material_news_items.content=l",
        "material_news_items.content_html=l",
        "published_news_items.content=l",
        "published_news_items.content_html=l",
      ]);
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
