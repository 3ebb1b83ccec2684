// A list response that contradicts itself or the request: WeChat has answered like this
// during incidents and permission changes (empty pages under a true total_count, items
// without their news items, no `item` at all). It is never taken as the truth: a bad
// answer of the moment, not a shape change, so its behaviour is TransientError (client
// retry, then job retry), and when it persists the run fails naming the field; nothing
// is written from it.
import { TransientError } from "./errors.ts";

export class ContradictoryResponseError extends TransientError {
  override name = "ContradictoryResponseError";
  constructor(endpoint: string, readonly field: string, detail: string) {
    super(`WeChat ${endpoint} returned a contradictory response: ${field} ${detail}`, { endpoint });
  }
}
