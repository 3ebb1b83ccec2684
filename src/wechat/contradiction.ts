// A list response that contradicts itself or the request: WeChat has answered like this
// during incidents and permission changes (empty pages under a true total_count, items
// without their news items, no `item` at all). It is never taken as the truth: it is a
// malformed response, retried as transient (client retry, then job retry), and when it
// persists the run fails naming the field; nothing is written from it.
import { MalformedResponseError, type ErrorKind } from "./errors.ts";

export class ContradictoryResponseError extends MalformedResponseError {
  override name = "ContradictoryResponseError";
  // a bad answer of the moment, not a shape change: worth asking again
  override readonly kind: ErrorKind = "transient";
}
