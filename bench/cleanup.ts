// Removes what one benchmark run left behind: its databases (mpsync_bench_<run>_*) and
// its Redis keys (mpsync-bench:<run>:*). bench/run.ts starts it as a detached process on
// Ctrl-C, because `tsx` (npm run bench) kills the interrupted orchestrator before an
// in-process cleanup could finish.
import pg from "pg";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { withDatabase } from "../src/config/database.ts";

export interface CleanupArgs {
  serverUrl: string;
  runId: string;
  redisUrl: string;
}

export async function cleanupRun(a: CleanupArgs): Promise<void> {
  if (!/^[0-9a-f]+$/.test(a.runId)) throw new Error(`not a benchmark run id: ${a.runId}`);
  const c = new pg.Client({ connectionString: withDatabase(a.serverUrl, "postgres"), connectionTimeoutMillis: 10_000 });
  try {
    await c.connect();
    const r = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`mpsync\\_bench\\_${a.runId}\\_%`]);
    // clones before their template
    for (const { datname } of r.rows.sort((x, y) => Number(x.datname.endsWith("_tpl")) - Number(y.datname.endsWith("_tpl")))) {
      await c.query(`DROP DATABASE IF EXISTS "${datname.replace(/"/g, '""')}" WITH (FORCE)`).catch(() => {});
    }
  } finally {
    await c.end().catch(() => {});
  }
  const redis = new Redis(a.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: true });
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `mpsync-bench:${a.runId}:*`, "COUNT", 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

// run as a script: node --import tsx bench/cleanup.ts '{"serverUrl":...,"runId":...,"redisUrl":...}'
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2]) {
  await cleanupRun(JSON.parse(process.argv[2]) as CleanupArgs);
}
