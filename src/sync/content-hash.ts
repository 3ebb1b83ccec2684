// md5 over a row's normalised fields: equal hashes mean "nothing to write".
import { createHash } from "node:crypto";

export function contentHash(fields: unknown[]): string {
  return createHash("md5").update(JSON.stringify(fields)).digest("hex");
}
