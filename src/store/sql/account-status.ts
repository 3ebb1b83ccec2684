// Per-account state the engine reads and writes: the quota throttle and the last error.
import type { Tx } from "./tx.ts";

export async function readThrottledUntil(tx: Tx, accountId: number): Promise<Date | null> {
  const rows = await tx.$queryRawUnsafe<{ t: Date | null }[]>(`SELECT throttled_until AS t FROM accounts WHERE id = $1`, accountId);
  return rows[0]?.t ?? null;
}

export async function setThrottledUntil(tx: Tx, accountId: number, until: Date): Promise<void> {
  await tx.$executeRawUnsafe(
    `UPDATE accounts SET throttled_until = $2, last_error_code = 45009, last_error_at = now(),
            last_error_message = 'daily API quota exhausted (45009)', updated_at = now() WHERE id = $1`,
    accountId,
    until,
  );
}

export async function recordAccountError(tx: Tx, accountId: number, code: number | null, message: string): Promise<void> {
  await tx.$executeRawUnsafe(
    `UPDATE accounts SET last_error_code = $2, last_error_at = now(), last_error_message = $3, updated_at = now() WHERE id = $1`,
    accountId,
    code,
    message,
  );
}

/** The quota was read again and has room (a new day, or the owner's clear_quota): runs may start. */
export async function clearThrottledUntil(tx: Tx, accountId: number): Promise<void> {
  await tx.$executeRawUnsafe(`UPDATE accounts SET throttled_until = NULL, updated_at = now() WHERE id = $1`, accountId);
}
