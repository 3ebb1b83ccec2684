// Request input through zod: the first problem becomes a 400 naming its field.
import { z } from "zod";
import { InvalidParameterError } from "./errors.ts";

/** Postgres bigint's largest value: ids (runs, events) and cursors never exceed it */
const INT8_MAX = 9223372036854775807n;

/** A bigint id as a decimal string (0 included), within Postgres int8: larger is a 400, not a database error. */
export const int8String = (message = "must be a decimal id") =>
  z
    .string()
    .regex(/^\d{1,19}$/, message)
    .refine((v) => !/^\d+$/.test(v) || BigInt(v) <= INT8_MAX, "is larger than any id");

/** The path of the value's first string holding a NUL (Postgres text cannot), else null. */
function nulField(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === "string") return value.includes("\0") ? path : null;
  if (!value || typeof value !== "object" || depth > 8) return null;
  for (const [k, v] of Object.entries(value)) {
    const found = nulField(v, path ? `${path}.${k}` : k, depth + 1);
    if (found !== null) return found;
  }
  return null;
}

/** preValidation hook of every route: a NUL character in a parameter or body field is a 400 naming it. */
export async function refuseNul(req: { query: unknown; params: unknown; body: unknown }): Promise<void> {
  const field = nulField(req.params, "") ?? nulField(req.query, "") ?? nulField(req.body, "");
  if (field !== null) throw new InvalidParameterError(field || "body", "contains a NUL character");
}

/** A parameter given twice arrives as an array: ambiguous, so refused by name. */
export function refuseRepeated(query: unknown): void {
  if (!query || typeof query !== "object") return;
  for (const [k, v] of Object.entries(query)) if (Array.isArray(v)) throw new InvalidParameterError(k, "is given more than once; give it once");
}

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where = "query"): z.infer<S> {
  if (where === "query") refuseRepeated(input);
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  // an unknown parameter is named itself
  const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0] ?? where] : issue.path;
  const field = path.length ? path.join(".") : where;
  throw new InvalidParameterError(field, issue.message);
}
