// The deletion circuit breaker. A consistent full walk proves which rows WeChat did not
// list, but WeChat itself can answer wrongly (an empty list during an incident or a
// permission change). So a walk that would mark many rows deleted at once does not: when
// the deletions it alone found are more than `rows` AND more than `percent` % of the
// source's live rows, they are held. Held rows that the next consistent full walk finds
// absent again are applied (a real mass deletion costs one extra walk); held rows any walk
// sees again are released. The operator can apply them at once (mpsync deletions apply).
import { DEFAULT_DELETION_BREAKER, type DeletionBreakerConfig } from "../config/config.ts";
import type { AbsenceDecision, AbsentRows } from "../store/sync-store.ts";

export function decideAbsences(a: AbsentRows, limits: DeletionBreakerConfig = DEFAULT_DELETION_BREAKER): AbsenceDecision {
  const confirmed = a.absent.filter((k) => a.held.has(k));
  const fresh = a.absent.filter((k) => !a.held.has(k));
  // only this walk's own findings count toward the limit: confirmed ones have two walks behind them
  const trips = fresh.length > limits.rows && fresh.length * 100 > limits.percent * a.live;
  return trips ? { apply: confirmed, hold: fresh } : { apply: a.absent, hold: [] };
}
