// Opaque keyset cursors: the (update_time, id) of the last row of a page, base64url JSON.
// Clients pass them back unchanged; anything else is a 400 on `cursor`.
import { z } from "zod";
import type { KeysetPosition } from "../store/read-store.ts";
import { InvalidParameterError } from "./errors.ts";
import { int8String } from "./validate.ts";

/** u: update_time of the last row (ISO, ms precision), null when it had none; i: its id */
// update_time comes from Unix timestamps: a year before 1970 (year 0 is no Postgres date) is no cursor of ours
const cursorSchema = z.object({ u: z.iso.datetime().refine((v) => Number(v.slice(0, 4)) >= 1970).nullable(), i: int8String() }).strict();

export function encodeCursor(p: KeysetPosition): string {
  return Buffer.from(JSON.stringify({ u: p.updateTime ? p.updateTime.toISOString() : null, i: p.id.toString() })).toString("base64url");
}

/** The base64url JSON of a cursor, checked against its schema: anything else is a 400 on `cursor`. */
export function parseCursor<T>(raw: string, schema: z.ZodType<T>): T {
  try {
    return schema.parse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
  } catch {
    throw new InvalidParameterError("cursor", "is not a cursor returned by this API");
  }
}

export function decodeCursor(raw: string): KeysetPosition {
  const c = parseCursor(raw, cursorSchema);
  return { updateTime: c.u === null ? null : new Date(c.u), id: BigInt(c.i) };
}

/** The cursor of the page after `rows` when more follow, else null. */
export function nextCursor(page: { rows: KeysetPosition[]; more: boolean }): string | null {
  const last = page.rows[page.rows.length - 1];
  return page.more && last ? encodeCursor(last) : null;
}
