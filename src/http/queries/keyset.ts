// Keyset pagination over (update_time DESC NULLS LAST, id DESC), the order the tables'
// (account_id, update_time DESC, id DESC) indexes serve. Rows without update_time come last.
import { Prisma } from "../../store/generated/prisma/client.ts";
import type { Cursor } from "../cursor.ts";

/** Rows strictly after the cursor in that order (`t` is the table alias). */
export function afterCursor(t: string, c: Cursor): Prisma.Sql {
  const ut = Prisma.raw(`${t}.update_time`);
  const id = Prisma.raw(`${t}.id`);
  if (c.u === null) return Prisma.sql`(${ut} IS NULL AND ${id} < ${BigInt(c.i)})`;
  const u = new Date(c.u);
  return Prisma.sql`(${ut} < ${u} OR (${ut} = ${u} AND ${id} < ${BigInt(c.i)}) OR ${ut} IS NULL)`;
}

export function orderBy(t: string): Prisma.Sql {
  return Prisma.raw(`ORDER BY ${t}.update_time DESC NULLS LAST, ${t}.id DESC`);
}

export function cursorOf(row: { id: bigint; update_time: Date | null }): Cursor {
  return { u: row.update_time ? row.update_time.toISOString() : null, i: row.id.toString() };
}

/** LIKE pattern matching `q` literally anywhere. */
export function containsPattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
}

