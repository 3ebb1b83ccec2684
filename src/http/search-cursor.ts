// Opaque cursors of /v1/search: the (rank, source, id) of the last row of a page, base64url
// JSON, like the lists' cursors (cursor.ts) but over the search's order.
import { z } from "zod";
import type { SearchPosition } from "../store/read-store.ts";
import { InvalidParameterError } from "./errors.ts";

const cursorSchema = z.object({ r: z.number().finite().nonnegative(), s: z.enum(["published", "material"]), i: z.string().regex(/^\d{1,19}$/) }).strict();

export function encodeSearchCursor(p: SearchPosition): string {
  return Buffer.from(JSON.stringify({ r: p.rank, s: p.source, i: p.id.toString() })).toString("base64url");
}

export function decodeSearchCursor(raw: string): SearchPosition {
  let c: z.infer<typeof cursorSchema>;
  try {
    c = cursorSchema.parse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
  } catch {
    throw new InvalidParameterError("cursor", "is not a cursor returned by this API");
  }
  return { rank: c.r, source: c.s, id: BigInt(c.i) };
}
