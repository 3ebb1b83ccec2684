// Opaque keyset cursors: the (update_time, id) of the last row of a page, base64url JSON.
// Clients pass them back unchanged; anything else is a 400 on `cursor`.
import { z } from "zod";
import { InvalidParameterError } from "./errors.ts";

export interface Cursor {
  /** update_time of the last row (ISO, ms precision), null when it had none */
  u: string | null;
  /** its id */
  i: string;
}

const cursorSchema = z.object({ u: z.iso.datetime().nullable(), i: z.string().regex(/^\d{1,19}$/) }).strict();

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

export function decodeCursor(raw: string): Cursor {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
  } catch {
    throw new InvalidParameterError("cursor", "is not a cursor returned by this API");
  }
}
