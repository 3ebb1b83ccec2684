// Whether this database can hold the search (checked by `mpsync migrate` before any
// migration runs): the search migration checks the same in SQL, for people who apply the
// migrations with Prisma's own CLI, but a migration failing there is left recorded as
// failed, which Prisma then asks a person to resolve.
import pg from "pg";
import { redactUrl } from "../../config/database.ts";

/** The database cannot search Chinese text; the message says why and what to do. */
export class SearchUnsupportedError extends Error {
  override readonly name = "SearchUnsupportedError";
}

export async function checkSearchSupport(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "mpsync-migrate" });
  await client.connect();
  try {
    const { rows } = await client.query<{ encoding: string; ctype: string }>(
      `SELECT current_setting('server_encoding') AS encoding, datctype AS ctype FROM pg_database WHERE datname = current_database()`,
    );
    const { encoding, ctype } = rows[0]!;
    const where = `database ${redactUrl(databaseUrl)} (encoding ${encoding}, LC_CTYPE ${ctype})`;
    if (encoding !== "UTF8") {
      throw new SearchUnsupportedError(
        `${where}: mpsync needs a UTF8 database for Chinese text and its search; create the database with ENCODING 'UTF8' (any LC_CTYPE works, C included) and migrate again`,
      );
    }
    // the text search parser must keep CJK characters as letters of one word in this ctype
    const parsed = await client.query<{ v: string }>(`SELECT to_tsvector('simple', '公众 众号 号')::text AS v`);
    if (parsed.rows[0]!.v !== "'众号':2 '公众':1 '号':3") {
      throw new SearchUnsupportedError(`${where}: Postgres's text search parser does not read Chinese characters as letters in this ctype (got ${parsed.rows[0]!.v}); use a UTF-8 or C LC_CTYPE`);
    }
  } finally {
    await client.end().catch(() => {});
  }
}
