// One run per (account, source) across processes: a session advisory lock on a
// dedicated connection, released when the connection closes, so it dies with its holder.
import pg from "pg";

export interface HeldLock {
  /** rejects when the lock's connection is lost (the lock is gone with it) */
  readonly lost: Promise<never>;
  release(): Promise<void>;
}

/** Returns null when another session holds the lock. */
export async function tryAdvisoryLock(databaseUrl: string, name: string): Promise<HeldLock | null> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000, application_name: "mpsync-lock" });
  let onLost: (e: Error) => void = () => {};
  const lost = new Promise<never>((_, reject) => (onLost = reject));
  lost.catch(() => {}); // observed by whoever races on it
  let released = false;
  client.on("error", (e) => onLost(e));
  client.on("end", () => {
    if (!released) onLost(new Error("the connection holding the sync lock closed"));
  });
  await client.connect();
  try {
    const r = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok", [name]);
    if (!r.rows[0]?.ok) {
      released = true;
      await client.end();
      return null;
    }
  } catch (e) {
    released = true;
    await client.end().catch(() => {});
    throw e;
  }
  return {
    lost,
    async release() {
      if (released) return;
      released = true;
      // closing the session releases the lock even if the unlock query cannot run
      await client.end().catch(() => {});
    },
  };
}
