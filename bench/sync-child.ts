// One sync in a process of its own, so that its peak RSS is its own. Started by
// bench/run.ts with its settings as one JSON argument; prints one line
// `BENCH_RESULT {json}` on stdout (logs go to stderr).
import { loadConfig, type AppConfig } from "../src/config/config.ts";
import { SIM_DEFAULT_APP } from "../src/simulator/types.ts";

export interface ChildArgs {
  impl: "mpsync" | "baseline";
  mode: "full" | "incremental";
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  simUrl: string;
  /** the account's requests in flight across its sources (accounts[].concurrency; mpsync only) */
  concurrency: number;
  logLevel: string;
  /** SEARCH_INDEX for the sync (off unless given, as by default) */
  searchIndex?: boolean;
}

export interface ChildResult {
  impl: ChildArgs["impl"];
  mode: ChildArgs["mode"];
  wallMs: number;
  /** process.resourceUsage().maxRSS: the peak resident set of the whole process, in MB */
  peakRssMB: number;
  /** RSS just before the sync started (runtime loaded, nothing synced), in MB */
  startRssMB: number;
  /** maxRSS reached before the sync started (module loading, connecting), in MB */
  peakRssBeforeSyncMB: number;
  /** the highest RSS sampled every 20 ms while the sync ran, in MB */
  sampledPeakRssMB: number;
  /** the highest V8 heapUsed sampled while the sync ran (live objects and garbage not yet collected), in MB */
  sampledPeakHeapMB: number;
  /** CPU time (user + system) of this process during the sync, in ms */
  cpuMs: number;
  /** what the implementation itself reports (mpsync: the engine's RunResults) */
  details: unknown;
}

export type SyncFn = (config: AppConfig, args: ChildArgs) => Promise<{ prepare: () => Promise<void>; sync: () => Promise<unknown>; close: () => Promise<void> }>;

const MB = 1024 * 1024;

async function main(): Promise<void> {
  const raw = process.argv[2];
  if (!raw) throw new Error("usage: tsx bench/sync-child.ts '<json args>'");
  const args = JSON.parse(raw) as ChildArgs;
  const config = loadConfig(
    {
      DATABASE_URL: args.databaseUrl,
      REDIS_URL: args.redisUrl,
      MPSYNC_REDIS_PREFIX: args.redisPrefix,
      WECHAT_API_BASE_URL: args.simUrl,
      WECHAT_APP_ID: SIM_DEFAULT_APP.appId,
      WECHAT_APP_SECRET: SIM_DEFAULT_APP.secret,
      WECHAT_TOKEN_KIND: "stable",
      LOG_LEVEL: args.logLevel,
      SEARCH_INDEX: args.searchIndex ? "true" : "false",
    },
    { requireAccounts: true },
  );
  const account = config.accounts[0]!;
  const cfg: AppConfig = { ...config, accounts: [{ ...account, concurrency: args.concurrency }] };

  // loaded on demand: each process holds only the code of the implementation it runs
  const impl: SyncFn = args.impl === "mpsync" ? (await import("./mpsync.ts")).runMpsyncSync : (await import("./baseline-process.ts")).runBaselineSync;
  const run = await impl(cfg, args);
  let result: ChildResult;
  try {
    await run.prepare();
    const startRssMB = process.memoryUsage.rss() / MB;
    const peakRssBeforeSyncMB = (process.resourceUsage().maxRSS * 1024) / MB;
    let sampled = startRssMB;
    let heap = process.memoryUsage().heapUsed / MB;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      sampled = Math.max(sampled, m.rss / MB);
      heap = Math.max(heap, m.heapUsed / MB);
    }, 20);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let details: unknown;
    try {
      details = await run.sync();
    } finally {
      clearInterval(sampler);
    }
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    result = {
      impl: args.impl,
      mode: args.mode,
      wallMs,
      peakRssMB: (process.resourceUsage().maxRSS * 1024) / MB,
      startRssMB,
      peakRssBeforeSyncMB,
      sampledPeakRssMB: Math.max(sampled, process.memoryUsage.rss() / MB),
      sampledPeakHeapMB: heap,
      cpuMs: (cpu.user + cpu.system) / 1000,
      details,
    };
  } finally {
    await run.close();
  }
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error("sync-child:", e);
    process.exit(1);
  },
);
