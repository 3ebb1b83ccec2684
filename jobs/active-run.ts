// At most one active run per (account, source) across every worker: a Redis marker taken
// before the run starts. A job that finds it taken stays the pending one (it is delayed,
// keeping its deduplication slot). The marker expires if its holder dies, so a stalled job
// resumed elsewhere is only delayed, never blocked for good. The engine's advisory lock
// remains the hard guarantee; this marker is queue admission.
import type { Redis } from "ioredis";
import { targetKey } from "./queue.ts";

export const ACTIVE_TTL_MS = 30_000;
const RENEW_EVERY_MS = 10_000;

const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;

export interface ActiveRun {
  release(): Promise<void>;
}

export function activeRunKey(prefix: string, appId: string, source: string): string {
  return `${prefix}:sync-active:${targetKey(appId, source)}`;
}

/** Takes the marker for `jobId`, or returns null when another job holds it. */
export async function claimActiveRun(redis: Redis, prefix: string, appId: string, source: string, jobId: string): Promise<ActiveRun | null> {
  const key = activeRunKey(prefix, appId, source);
  const ok = await redis.set(key, jobId, "PX", ACTIVE_TTL_MS, "NX");
  // a job retried after its own worker died may find its own marker still there
  if (ok !== "OK" && (await redis.get(key)) !== jobId) return null;
  const timer = setInterval(() => {
    redis.eval(RENEW, 1, key, jobId, String(ACTIVE_TTL_MS)).catch(() => {}); // a lost renewal only shortens the marker
  }, RENEW_EVERY_MS);
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      await redis.eval(RELEASE, 1, key, jobId).catch(() => {}); // it expires on its own otherwise
    },
  };
}

/** The job id holding the marker, if any (status and tests). */
export async function activeRunOf(redis: Redis, prefix: string, appId: string, source: string): Promise<string | null> {
  return redis.get(activeRunKey(prefix, appId, source));
}
