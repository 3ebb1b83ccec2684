// HTML bodies are TOAST-compressed on write. lz4 compresses several times faster than
// Postgres's default pglz at a similar ratio: Postgres CPU saved on every synced page
// (docs/benchmark.md). Not a migration: a server built without lz4 (or before 14) must
// still migrate, so this is tried after the migrations and skipped with a note. It only
// changes catalog settings; values already stored keep their compression until rewritten.
import pg from "pg";

const HTML_COLUMNS = [
  ["published_news_items", "content"],
  ["published_news_items", "content_html"],
  ["material_news_items", "content"],
  ["material_news_items", "content_html"],
] as const;

/** Returns false when the server has no lz4 (the columns keep pglz). */
export async function compressHtmlWithLz4(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "mpsync-migrate" });
  await client.connect();
  try {
    const current = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relname = ANY($1) AND a.attname = ANY($2) AND a.attcompression = 'l' AND c.relnamespace = current_schema()::regnamespace`,
      [HTML_COLUMNS.map((c) => c[0]), HTML_COLUMNS.map((c) => c[1])],
    );
    if (current.rows[0]!.n === HTML_COLUMNS.length) return true;
    for (const [table, column] of HTML_COLUMNS) await client.query(`ALTER TABLE "${table}" ALTER COLUMN "${column}" SET COMPRESSION lz4`);
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
