// Request input through zod: the first problem becomes a 400 naming its field.
import type { z } from "zod";
import { InvalidParameterError } from "./errors.ts";

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where = "query"): z.infer<S> {
  // a parameter given twice arrives as an array: ambiguous, so refused by name
  if (where === "query" && input && typeof input === "object") {
    for (const [k, v] of Object.entries(input)) if (Array.isArray(v)) throw new InvalidParameterError(k, "is given more than once; give it once");
  }
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  // an unknown parameter is named itself
  const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0] ?? where] : issue.path;
  const field = path.length ? path.join(".") : where;
  throw new InvalidParameterError(field, issue.message);
}
