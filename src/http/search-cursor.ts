// Opaque cursors of /v1/search: the (rank, source, id) of the last row of a page, base64url
// JSON, like the lists' cursors (cursor.ts) but over the search's order.
import { z } from "zod";
import type { SearchPosition } from "../store/read-store.ts";
import { parseCursor } from "./cursor.ts";
import { int8String } from "./validate.ts";

const cursorSchema = z.object({ r: z.number().finite().nonnegative(), s: z.enum(["published", "material"]), i: int8String() }).strict();

export function encodeSearchCursor(p: SearchPosition): string {
  return Buffer.from(JSON.stringify({ r: p.rank, s: p.source, i: p.id.toString() })).toString("base64url");
}

export function decodeSearchCursor(raw: string): SearchPosition {
  const c = parseCursor(raw, cursorSchema);
  return { rank: c.r, source: c.s, id: BigInt(c.i) };
}
