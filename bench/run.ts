// `npm run bench`: mpsync against a simulated account, beside the floor (the least any
// sync of that account can take) and a hand-written baseline, in one run. See
// docs/benchmark.md for what each figure means.
//
// Processes: this orchestrator; the WeChat simulator (bench/simulator-process.ts), whose
// latency is changed between syncs over /__sim/faults; one process per sync
// (bench/sync-child.ts) and per floor fetch (bench/floor.ts), so each one's CPU time and
// peak RSS are its own. Every sync that starts from nothing gets a fresh database cloned
// from a template migrated with applyMigrations; all are dropped at the end, as are the
// Redis keys.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { Command, InvalidArgumentError } from "commander";
import { loadConfig } from "../src/config/config.ts";
import { DEFAULT_REDIS_URL, loadDatabaseUrl, redactUrl } from "../src/config/database.ts";
import { SIM_DEFAULT_APP } from "../src/simulator/types.ts";
import type { RunResult } from "../src/sync/types.ts";
import { runChild, runReporting, spawnTs, REPO_DIR } from "./child.ts";
import { cleanupRun } from "./cleanup.ts";
import { postgresCpuMs, processCpuMs } from "./proc-cpu.ts";
import { exportRows, timeCopyInto } from "./copy-floor.ts";
import { BenchDatabases, contentBytes, tableWrites, verifyStore, writeDelta } from "./db.ts";
import type { FloorArgs, FloorResult } from "./floor.ts";
import { fmtInt, machine } from "./report.ts";
import { callCounts, SimulatorProcess } from "./simulator.ts";
import type { SimulatorProcessOptions } from "./simulator-process.ts";
import { buildReport, DELETIONS, NEW_ARTICLES, type FullRun, type Measured, type Results } from "./summary.ts";
import type { ChildArgs } from "./sync-child.ts";
import { itemsOf, materialsOf, scaled, type Workload } from "./workload.ts";
import { runSearchBench, searchReport } from "./search.ts";
import { describeMediaBench, type MediaBenchArgs, type MediaBenchResult } from "./media-report.ts";

// ---------- flags ----------

function int(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return n;
  };
}

function intList(min: number, max: number) {
  const one = int(min, max);
  return (raw: string): number[] => [...new Set(raw.split(",").map((s) => one(s.trim())))];
}

interface Flags {
  articles: number;
  images: number;
  videos: number;
  voices: number;
  news: number;
  maxNewsItems: number;
  contentBytes: number;
  latencies: number[];
  concurrencies?: number[];
  latency?: number;
  concurrency?: number;
  seed: number;
  scaling: boolean;
  planner: boolean;
  plannerAccounts: number;
  push: boolean;
  skipBaseline: boolean;
  quick: boolean;
  out: string;
  childTimeout: number;
  syncNodeOptions: string;
  search: boolean;
  searchItems: number;
  media: boolean;
  mediaArticles: number;
  mediaImages: number;
}

/** The concurrency an account gets when its entry in the accounts file names none. */
const DEFAULT_ACCOUNT_CONCURRENCY = loadConfig(
  { WECHAT_APP_ID: SIM_DEFAULT_APP.appId, WECHAT_APP_SECRET: SIM_DEFAULT_APP.secret, WECHAT_TOKEN_KIND: "stable" },
  { requireAccounts: true },
).accounts[0]!.concurrency;

const program = new Command("bench")
  .description("mpsync benchmark: full and incremental syncs of a simulated account, beside the floor and a hand-written baseline")
  .option("--articles <n>", "published articles", int(0), 3_000)
  .option("--images <n>", "image materials", int(0), 3_000)
  .option("--videos <n>", "video materials", int(0), 300)
  .option("--voices <n>", "voice materials", int(0), 150)
  .option("--news <n>", "news materials (legacy type)", int(0), 0)
  .option("--max-news-items <n>", "news items per article are 1..n (3: about 2 on average)", int(1, 8), 3)
  .option("--content-bytes <n>", "average HTML body size in bytes", int(64), 4_000)
  .option("--latencies <ms,...>", "simulated latencies per list request of the full syncs (0 is always run: the floor's comparison)", intList(0, 10_000), [0, 20, 50])
  .option("--concurrencies <n,...>", `the account's requests in flight across its sources (accounts[].concurrency, 1..16); default: the accounts file's default (${DEFAULT_ACCOUNT_CONCURRENCY}) and 8`, intList(1, 16))
  .option("--latency <ms>", "one latency instead of the list (0 is still run for the floor)", int(0, 10_000))
  .option("--concurrency <n>", "one concurrency instead of the list", int(1, 16))
  .option("--seed <n>", "content seed", int(0), 1)
  .option("--no-scaling", "skip the full syncs at 2x and 4x the account size")
  .option("--planner", "only the planner scenario: a worker on 10,000 accounts (readiness, status, spread, Redis memory)", false)
  .option("--planner-accounts <n>", "accounts of the planner scenario", int(1), 10_000)
  .option("--skip-baseline", "do not run the baseline", false)
  .option("--no-search", "skip the search section (its corpus, and the full syncs with SEARCH_INDEX on)")
  .option("--search-items <n>", "news items of the search section's corpus", int(1), 100_000)
  .option("--no-push", "skip the message-push scenario (publish → news items committed, at 20 ms)")
  .option("--no-media", "skip the media pass (bench/media.ts: mirroring at 20 ms CDN latency, MEDIA_CONCURRENCY 16)")
  .option("--media-articles <n>", "published articles of the media pass's account", int(1), 1_000)
  .option("--media-images <n>", "image materials of the media pass's account", int(0), 500)
  .option("--quick", "a small run for smoke checks (sizes / 10 unless given)", false)
  .option("--out <file>", "where to write the JSON results", path.join("bench", "results", "latest.json"))
  .option("--child-timeout <s>", "kill a sync process that runs longer than this", int(10), 1_800)
  // the heap limit the Dockerfile gives the deployed worker (NODE_OPTIONS there)
  .option("--sync-node-options <flags>", "Node flags for the sync processes (mpsync and baseline); default: the Dockerfile's heap limit", "--max-old-space-size=160 --max-semi-space-size=8")
  .parse(process.argv);

const flags = program.opts<Flags>();
if (flags.quick) {
  const given = (name: string) => program.getOptionValueSource(name) === "cli";
  if (!given("articles")) flags.articles = 300;
  if (!given("images")) flags.images = 300;
  if (!given("videos")) flags.videos = 30;
  if (!given("voices")) flags.voices = 15;
  if (!given("searchItems")) flags.searchItems = 10_000;
  if (!given("mediaArticles")) flags.mediaArticles = 100;
  if (!given("mediaImages")) flags.mediaImages = 50;
}
const latencies = [...new Set([0, ...(flags.latency === undefined ? flags.latencies : [flags.latency])])].sort((a, b) => a - b);
const concurrencies = [...new Set(flags.concurrency !== undefined ? [flags.concurrency] : (flags.concurrencies ?? [DEFAULT_ACCOUNT_CONCURRENCY, 8]))].sort((a, b) => a - b);
/** where the baseline, the unchanged-store full sync and the incremental scenarios run: the highest latency and concurrency */
const refLatency = latencies[latencies.length - 1]!;
const refConcurrency = concurrencies[concurrencies.length - 1]!;
/** the 0 ms sync whose rows make the COPY floor, and the scaling runs: the default concurrency if measured */
const floorConcurrency = concurrencies.includes(DEFAULT_ACCOUNT_CONCURRENCY) ? DEFAULT_ACCOUNT_CONCURRENCY : concurrencies[0]!;
const nodeOptions = flags.syncNodeOptions.split(/\s+/).filter(Boolean);

// ---------- one measured sync ----------

function simOptions(w: Workload): SimulatorProcessOptions {
  return { seed: flags.seed, articles: w.articles, maxNewsItems: flags.maxNewsItems, contentBytes: flags.contentBytes, images: w.images, videos: w.videos, voices: w.voices, news: w.news, latencyMs: 0 };
}

const runId = randomBytes(4).toString("hex");
const redisPrefixRoot = `mpsync-bench:${runId}`;
/** one key prefix per simulator process: a restarted simulator knows none of the earlier tokens */
let redisPrefix = `${redisPrefixRoot}:sim0`;
let simStarts = 0;
async function startSimulator(opts: SimulatorProcessOptions): Promise<SimulatorProcess> {
  redisPrefix = `${redisPrefixRoot}:sim${simStarts++}`;
  return SimulatorProcess.start(opts);
}
const serverUrl = loadDatabaseUrl();
const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
const dbs = new BenchDatabases(serverUrl, runId);
let sim: SimulatorProcess | undefined;

async function measure(impl: ChildArgs["impl"], mode: ChildArgs["mode"], dbUrl: string, concurrency: number, withBytes: boolean, searchIndex = false): Promise<Measured> {
  const s = sim!;
  const before = await tableWrites(dbUrl);
  await s.resetCounters();
  const pg0 = postgresCpuMs();
  const sim0 = processCpuMs(s.pid);
  const child = await runChild(
    { impl, mode, databaseUrl: dbUrl, redisUrl, redisPrefix, simUrl: s.url, concurrency, logLevel: process.env.LOG_LEVEL || "warn", searchIndex },
    flags.childTimeout * 1000,
    nodeOptions,
  );
  const calls = callCounts(await s.counters());
  const writes = writeDelta(before, await tableWrites(dbUrl));
  const pg1 = postgresCpuMs();
  const sim1 = processCpuMs(s.pid);
  const otherCpu = { postgresMs: pg0 === null || pg1 === null ? null : pg1 - pg0, simulatorMs: sim0 === null || sim1 === null ? null : sim1 - sim0 };
  const verification = await verifyStore(dbUrl, await s.summary());
  const m: Measured = { child, calls, writes, verification, otherCpu };
  if (withBytes) m.contentBytes = await contentBytes(dbUrl);
  if (impl === "mpsync") m.runs = (child.details as { runs?: RunResult[] }).runs;
  return m;
}

function progress(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`);
}

/** Once, whoever asks first (the end of main and a Ctrl-C can both ask). */
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= doCleanup();
  return cleaning;
}

async function doCleanup(): Promise<void> {
  await sim?.stop().catch(() => {});
  await cleanupRun({ serverUrl, runId, redisUrl }).catch((e: unknown) => progress(`cleanup failed: ${String(e)}`));
}

// Ctrl-C: `tsx` (npm run bench) kills this process shortly after relaying the signal,
// so the cleanup runs in a detached process of its own.
let interrupted = false;
process.on("SIGINT", () => {
  if (interrupted) return;
  interrupted = true;
  sim?.kill();
  const child = spawnTs("cleanup.ts", { serverUrl, runId, redisUrl }, [], { detached: true, stdio: "ignore" });
  child.unref();
  progress(`interrupted: dropping databases mpsync_bench_${runId}_* and Redis keys ${redisPrefixRoot}:* in the background (pid ${child.pid})`);
  process.exit(130);
});

// ---------- the run ----------

async function plannerOnly(): Promise<void> {
  await dbs.prepareTemplate();
  const db = await dbs.fresh("planner");
  const { plannerBench, describePlannerBench } = await import("./planner.ts");
  const r = await plannerBench({ accounts: flags.plannerAccounts, databaseUrl: db.url, redisUrl, redisPrefix: `${redisPrefixRoot}:planner`, progress });
  for (const line of describePlannerBench(r)) console.log(line);
  const out = path.resolve(REPO_DIR, flags.out === path.join("bench", "results", "latest.json") ? path.join("bench", "results", "planner.json") : flags.out);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify({ machine: machine(), planner: r }, null, 2));
  progress(`wrote ${path.relative(REPO_DIR, out)}`);
}

async function main(): Promise<void> {
  if (flags.planner) return plannerOnly();
  const started = new Date();
  const atStart = machine();
  const w: Workload = { articles: flags.articles, images: flags.images, videos: flags.videos, voices: flags.voices, news: flags.news };
  progress(`run ${runId}: databases mpsync_bench_${runId}_* on ${redactUrl(serverUrl)}, Redis prefix ${redisPrefixRoot}`);
  await dbs.prepareTemplate();

  progress(`starting the simulator (${fmtInt(w.articles)} articles, ${fmtInt(materialsOf(w))} materials)`);
  sim = await startSimulator(simOptions(w));
  const summary0 = await sim.summary();
  const newsItems = summary0.published.reduce((s, a) => s + a.deleted.length, 0);

  // one untimed fetch of every page first, so that the first measured sync does not pay
  // for the simulator's warm-up (its JIT, content caches) while later ones do not
  progress("warming the simulator up (one untimed fetch of every page)");
  await runReporting<FloorResult>("floor.ts", { simUrl: sim.url, concurrency: 8 } satisfies FloorArgs, "warm-up fetch", flags.childTimeout * 1000, nodeOptions);

  // 1. full syncs from an empty store at every latency and concurrency; the reference
  // one (highest latency and concurrency) keeps its store for the scenarios after it
  const fullRuns: FullRun[] = [];
  let mainDb: { name: string; url: string } | undefined;
  let floorRows: Awaited<ReturnType<typeof exportRows>> | undefined;
  for (const latencyMs of latencies) {
    await sim.setLatency(latencyMs);
    for (const concurrency of concurrencies) {
      const db = await dbs.fresh(`full_${latencyMs}_${concurrency}`);
      progress(`1. mpsync full sync, ${latencyMs} ms latency, concurrency ${concurrency}`);
      const m = await measure("mpsync", "full", db.url, concurrency, true);
      fullRuns.push({ latencyMs, concurrency, m });
      if (latencyMs === 0 && concurrency === floorConcurrency) floorRows = await exportRows(db.url);
      if (latencyMs === refLatency && concurrency === refConcurrency) mainDb = db;
      else await dbs.drop(db.name);
    }
  }

  // S. the same full syncs at the default concurrency with SEARCH_INDEX on (the runs above
  // have it off, the default): what writing the search index costs a sync
  const searchSyncs: { label: string; withMs: number; withoutMs: number }[] = [];
  if (flags.search) {
    for (const latencyMs of latencies) {
      await sim.setLatency(latencyMs);
      const db = await dbs.fresh(`search_${latencyMs}`);
      progress(`S. mpsync full sync with SEARCH_INDEX on, ${latencyMs} ms latency, concurrency ${floorConcurrency}`);
      const m = await measure("mpsync", "full", db.url, floorConcurrency, false, true);
      const withoutIndex = fullRuns.find((r) => r.latencyMs === latencyMs && r.concurrency === floorConcurrency)!.m;
      searchSyncs.push({ label: `${latencyMs} ms, concurrency ${floorConcurrency}`, withMs: m.child.wallMs, withoutMs: withoutIndex.child.wallMs });
      await dbs.drop(db.name);
    }
  }

  // F. the floor: a minimal client fetching every page at 0 ms (after mpsync's syncs, so
  // the simulator is as warm for it as for them), and a COPY of the rows mpsync wrote
  await sim.setLatency(0);
  const floorFetch: Record<number, FloorResult> = {};
  for (const concurrency of concurrencies) {
    progress(`F. floor: minimal fetch + parse of every page, concurrency ${concurrency}`);
    const r = await runReporting<FloorResult>("floor.ts", { simUrl: sim.url, concurrency } satisfies FloorArgs, "floor fetch", flags.childTimeout * 1000, nodeOptions);
    if (r.items !== itemsOf(w)) throw new Error(`the floor client read ${r.items} items of ${itemsOf(w)}`);
    floorFetch[concurrency] = r;
  }
  progress("F. floor: COPY of mpsync's rows into empty tables");
  const copyDb = await dbs.fresh("copy");
  const floorCopy = await timeCopyInto(copyDb.url, floorRows!);
  floorRows = undefined;
  await dbs.drop(copyDb.name);

  // 1b. a full sync of the unchanged store the reference sync left
  await sim.setLatency(refLatency);
  progress(`1b. mpsync full sync of the unchanged store (${refLatency} ms, concurrency ${refConcurrency})`);
  const unchanged = await measure("mpsync", "full", mainDb!.url, refConcurrency, false);

  // 3. incremental, nothing changed
  progress("3. mpsync incremental sync, no change");
  const incrNone = await measure("mpsync", "incremental", mainDb!.url, refConcurrency, false);

  // 2. the baseline, same content and latency, its own fresh database
  let baseline: Measured | undefined;
  if (!flags.skipBaseline) {
    const bDb = await dbs.fresh("baseline");
    progress(`2. baseline full sync (sequential pages, one Prisma upsert per row), ${refLatency} ms`);
    baseline = await measure("baseline", "full", bDb.url, 1, true);
    await dbs.drop(bDb.name);
  }

  // 4. incremental after 50 new articles and 20 deletions spread over the list
  progress(`4. mpsync incremental sync after ${NEW_ARTICLES} new articles and ${DELETIONS} deletions`);
  const old = summary0.published;
  const deleteCount = Math.min(DELETIONS, old.length);
  let liveDeleted = 0; // an article whose news items were all deleted already counts as deleted in the store
  for (let i = 0; i < deleteCount; i++) {
    const victim = old[Math.floor(((i + 0.5) * old.length) / deleteCount)]!;
    if (!victim.deleted.every(Boolean)) liveDeleted++;
    await sim.deleteArticle(victim.article_id);
  }
  await sim.publish(NEW_ARTICLES);
  const incrChange = await measure("mpsync", "incremental", mainDb!.url, refConcurrency, false);
  // incremental runs never mark deletions (src/sync/walk-incremental.ts); the periodic full run does
  progress("4b. mpsync full sync of the same store after the change");
  const fullAfter = await measure("mpsync", "full", mainDb!.url, refConcurrency, false);
  await dbs.drop(mainDb!.name);

  // 5. scaling at 0 ms: 1x is the matching sync of 1.
  const scaling: Results["scaling"] = [{ factor: 1, workload: w, m: fullRuns.find((r) => r.latencyMs === 0 && r.concurrency === floorConcurrency)!.m }];
  if (flags.scaling) {
    for (const factor of [2, 4]) {
      const wl = scaled(w, factor);
      await sim.stop();
      progress(`5. scaling ${factor}x: ${fmtInt(wl.articles)} articles, ${fmtInt(materialsOf(wl))} materials, 0 ms, concurrency ${floorConcurrency}`);
      sim = await startSimulator(simOptions(wl));
      const db = await dbs.fresh(`scale${factor}`);
      const m = await measure("mpsync", "full", db.url, floorConcurrency, false);
      await dbs.drop(db.name);
      scaling.push({ factor, workload: wl, m });
    }
  }

  // S. search at scale: its own corpus and database
  const search = flags.search
    ? await runSearchBench(serverUrl, `mpsync_bench_${runId}_search`, { items: flags.searchItems, bodyBytes: flags.contentBytes, runs: 30, progress })
    : undefined;

  const results: Results = {
    started,
    finished: new Date(),
    machine: atStart,
    command: `npm run bench --${process.argv.slice(2).length ? " " + process.argv.slice(2).join(" ") : ""}`,
    settings: { ...flags, latencies, concurrencies, defaultAccountConcurrency: DEFAULT_ACCOUNT_CONCURRENCY, refLatency, refConcurrency, floorConcurrency },
    workload: w,
    newsItems,
    syncNodeOptions: flags.syncNodeOptions,
    floor: { fetch: floorFetch, copy: floorCopy },
    fullRuns,
    unchanged,
    baseline,
    incrNone,
    incrChange,
    fullAfter,
    deleteCount,
    liveDeleted,
    scaling,
  };
  // 5. message push: publish → news items committed, at 20 ms per API call (bench/push.ts)
  let push: import("./push.ts").PushBenchResult | undefined;
  let pushLine = "";
  if (flags.push) {
    progress("5. message push: publishes pushed to the worker, 20 ms API latency");
    const { pushBench, describePushBench } = await import("./push.ts");
    const db = await dbs.fresh("push");
    push = await pushBench({ databaseUrl: db.url, redisUrl, redisPrefix: `${redisPrefixRoot}:push`, latencyMs: 20, publishes: flags.quick ? 10 : 40, gapMs: 250, articles: Math.min(flags.articles, 1_000), progress });
    pushLine = describePushBench(push);
    await dbs.drop(db.name);
  }
  // 6. the media pass, in its own processes (simulator, databases): bench/media.ts
  let media: MediaBenchResult | null = null;
  if (flags.media) {
    progress(`6. media pass: ${fmtInt(flags.mediaArticles)} articles, ${fmtInt(flags.mediaImages)} image materials, 20 ms CDN latency, MEDIA_CONCURRENCY 16`);
    const args: MediaBenchArgs = { articles: flags.mediaArticles, images: flags.mediaImages, latency: 20, concurrency: 16 };
    media = await runReporting<MediaBenchResult>("media.ts", args, "media pass", flags.childTimeout * 1000);
  }
  const report = buildReport(results);
  const table = media ? `${report.table}\n\nMedia pass (within 1.5x of its bound is the target)\n${describeMediaBench(media).join("\n")}` : report.table;
  const json: Record<string, unknown> = { ...(report.json as object), ...(media ? { media } : {}), ...(push ? { push } : {}) };
  process.stdout.write(table + "\n" + (pushLine ? pushLine + "\n" : ""));
  if (search) process.stdout.write("\n" + searchReport(search, searchSyncs) + "\n");
  const out = path.resolve(REPO_DIR, flags.out);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify({ ...(json as object), search: search && { ...search, fullSyncs: searchSyncs } }, null, 2) + "\n");
  progress(`wrote ${path.relative(REPO_DIR, out)} (the run took ${((results.finished.getTime() - started.getTime()) / 60_000).toFixed(1)} minutes)`);
}

try {
  await main();
} catch (e) {
  console.error("bench failed:", e);
  process.exitCode = 1;
} finally {
  await cleanup();
}
process.exit(process.exitCode ?? 0);
