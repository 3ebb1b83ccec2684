// The write half of the floor (docs/benchmark.md, "The floor"): the rows mpsync wrote,
// exported with COPY ... TO STDOUT, then timed as COPY ... FROM STDIN into the same,
// empty tables of a fresh clone of the template database (indexes and constraints as
// mpsync has them). That is the cheapest way Postgres offers to store exactly those
// rows; the client-side cost of turning parsed JSON into COPY rows is not counted.
import pg from "pg";
import { CONTENT_TABLES } from "./db.ts";
import { copyIn, copyOut } from "./pg-copy.ts";

/** COPY's binary format: Postgres reads it with the least parsing. */
const FORMAT = "binary";

export interface ExportedTable {
  table: string;
  data: Buffer;
  rows: number;
}

export interface CopyFloor {
  /** BEGIN, one COPY FROM STDIN per table, COMMIT; in ms */
  ms: number;
  /** rows copied into the content tables (the accounts row the foreign keys need is left out) */
  contentRows: number;
  bytes: number;
  format: string;
}

// accounts first: every content table references it
const TABLES = ["accounts", ...CONTENT_TABLES] as const;

async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, application_name: "mpsync-bench-copy" });
  await c.connect();
  return c;
}

/** Every row of the content tables (and the accounts they belong to), in COPY's format. */
export async function exportRows(url: string): Promise<ExportedTable[]> {
  const c = await connect(url);
  try {
    const out: ExportedTable[] = [];
    for (const table of TABLES) {
      const { data, rows } = await copyOut(c, `COPY ${table} TO STDOUT (FORMAT ${FORMAT})`);
      out.push({ table, data, rows });
    }
    return out;
  } finally {
    await c.end().catch(() => {});
  }
}

/** Times copying `rows` into the empty tables of the database at `url`, in one transaction. */
export async function timeCopyInto(url: string, rows: ExportedTable[]): Promise<CopyFloor> {
  const c = await connect(url);
  try {
    let contentRows = 0;
    let bytes = 0;
    const t0 = performance.now();
    await c.query("BEGIN");
    for (const t of rows) {
      const n = await copyIn(c, `COPY ${t.table} FROM STDIN (FORMAT ${FORMAT})`, t.data);
      if (n !== t.rows) throw new Error(`COPY ${t.table}: ${n} rows copied of ${t.rows}`);
      if (t.table !== "accounts") contentRows += n;
      bytes += t.data.length;
    }
    await c.query("COMMIT");
    return { ms: performance.now() - t0, contentRows, bytes, format: FORMAT };
  } finally {
    await c.end().catch(() => {});
  }
}
