// A transaction on the pg pool under Prisma, for the sync's page writes. Prisma's raw
// query path (parameter mapping, its query interpreter, tracing hooks) cost more CPU than
// the rest of a page write together: 1.8–2.4 s against 0.6–1.0 s for the same SQL and
// rows of a 12,500-row full sync (docs/benchmark.md). The SQL files stay the same: this
// is a Tx with the two methods they use, returning what Prisma returns (int8 as bigint).
import { createHash } from "node:crypto";
import pg from "pg";
import type { Tx } from "./sql/tx.ts";

const INT8 = 20;
const INT8_ARRAY = 1016;
const parserOf = pg.types.getTypeParser as (oid: number, format?: string) => (v: string) => unknown;
const parseBigIntArray = parserOf(INT8_ARRAY) as (v: string) => (string | null)[];
// per query, so that the process-wide pg type parsers (used by others) stay untouched
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8) return (v: string) => BigInt(v);
    if (oid === INT8_ARRAY) return (v: string) => parseBigIntArray(v).map((x) => (x === null ? null : BigInt(x)));
    return parserOf(oid, format ?? "text");
  },
};

// Named statements: each connection parses and plans a page write's statements once
// instead of once per page. The SQL files build a small, fixed set of texts.
const names = new Map<string, string>();
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `mpsync_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}

/** The SQL files' query surface over a pool (one statement, autocommit) or a transaction's client. */
export function pgTx(client: pg.Pool | pg.PoolClient): Tx {
  return {
    async $executeRawUnsafe(text: string, ...values: unknown[]) {
      return (await client.query({ name: statementName(text), text, values, types })).rowCount ?? 0;
    },
    async $queryRawUnsafe<T>(text: string, ...values: unknown[]) {
      return (await client.query({ name: statementName(text), text, values, types })).rows as T;
    },
  } as Tx;
}

/** BEGIN … COMMIT on one pooled connection; ROLLBACK and rethrow on any error. */
export async function withPgTransaction<T>(pool: pg.Pool, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  // a checked-out client whose connection dies emits 'error' besides failing its query:
  // unheard, that event would end the process instead of failing this transaction
  const onError = (): void => {
    broken = true;
  };
  client.on("error", onError);
  try {
    await client.query("BEGIN");
    const result = await fn(pgTx(client));
    await client.query("COMMIT");
    return result;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {
      broken = true;
    });
    throw e;
  } finally {
    client.off("error", onError);
    // a connection that failed (or whose rollback did) is not given to the next caller
    client.release(broken);
  }
}
