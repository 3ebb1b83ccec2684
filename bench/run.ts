// `npm run bench`: mpsync against a large simulated account, side by side with a
// hand-written baseline, in one run. See docs/benchmark.md for what each figure means.
//
// Processes: this orchestrator; the WeChat simulator (bench/simulator-process.ts);
// one process per sync (bench/sync-child.ts), so each sync's peak RSS is its own.
// Every sync that starts from nothing gets a fresh database cloned from a template
// migrated with applyMigrations; all are dropped at the end, as are the Redis keys.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { Command, InvalidArgumentError } from "commander";
import { DEFAULT_REDIS_URL, loadDatabaseUrl, redactUrl } from "../src/config/database.ts";
import { MAX_PAGE_SIZE } from "../src/wechat/types.ts";
import { SOURCES, type RunResult, type Source } from "../src/sync/types.ts";
import { spawn } from "node:child_process";
import { runChild, REPO_DIR } from "./child.ts";
import { cleanupRun } from "./cleanup.ts";
import { BenchDatabases, contentBytes, tableWrites, verifyStore, writeDelta, type Verification, type WriteDelta } from "./db.ts";
import { fmtInt, fmtMB, fmtSec, machine, renderTable, verdict, type Section } from "./report.ts";
import { BENCH_DIR, callCounts, SimulatorProcess, type CallCounts } from "./simulator.ts";
import type { ChildArgs, ChildResult } from "./sync-child.ts";
import type { SimulatorProcessOptions } from "./simulator-process.ts";

// ---------- flags ----------

function int(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return n;
  };
}

interface Flags {
  articles: number;
  images: number;
  videos: number;
  voices: number;
  news: number;
  maxNewsItems: number;
  contentBytes: number;
  latency: number;
  concurrency: number;
  seed: number;
  scaling: boolean;
  planner: boolean;
  plannerAccounts: number;
  skipBaseline: boolean;
  quick: boolean;
  out: string;
  childTimeout: number;
  syncNodeOptions: string;
}

const program = new Command("bench")
  .description("mpsync benchmark: full and incremental syncs of a simulated account, side by side with a hand-written baseline")
  .option("--articles <n>", "published articles", int(0), 10_000)
  .option("--images <n>", "image materials", int(0), 20_000)
  .option("--videos <n>", "video materials", int(0), 1_000)
  .option("--voices <n>", "voice materials", int(0), 1_000)
  .option("--news <n>", "news materials (legacy type)", int(0), 0)
  .option("--max-news-items <n>", "news items per article are 1..n (3: about 2 on average)", int(1, 8), 3)
  .option("--content-bytes <n>", "average HTML body size in bytes", int(64), 8_000)
  .option("--latency <ms>", "simulated latency per list request", int(0, 10_000), 50)
  .option("--concurrency <n>", "the account's requests in flight across its sources (accounts[].concurrency, 1..16)", int(1, 16), 8)
  .option("--seed <n>", "content seed", int(0), 1)
  .option("--scaling", "also run the full sync at 2x and 4x the account size", false)
  .option("--planner", "only the planner scenario: a worker on 10,000 accounts (readiness, status, spread, Redis memory)", false)
  .option("--planner-accounts <n>", "accounts of the planner scenario", int(1), 10_000)
  .option("--skip-baseline", "do not run the baseline", false)
  .option("--quick", "a small run for smoke checks (sizes / 20 unless given)", false)
  .option("--out <file>", "where to write the JSON results", path.join("bench", "results", "latest.json"))
  .option("--child-timeout <s>", "kill a sync process that runs longer than this", int(10), 1_800)
  // the heap limit the Dockerfile gives the deployed worker (NODE_OPTIONS there)
  .option("--sync-node-options <flags>", "Node flags for the sync processes (mpsync and baseline); default: the Dockerfile's heap limit", "--max-old-space-size=160")
  .parse(process.argv);

const flags = program.opts<Flags>();
if (flags.quick) {
  const given = (name: string) => program.getOptionValueSource(name) === "cli";
  if (!given("articles")) flags.articles = 500;
  if (!given("images")) flags.images = 1_000;
  if (!given("videos")) flags.videos = 50;
  if (!given("voices")) flags.voices = 50;
}

// ---------- the workload and its lower bounds ----------

const NEW_ARTICLES = 50;
const DELETIONS = 20;
const MB = 1024 * 1024;

interface Workload {
  articles: number;
  images: number;
  videos: number;
  voices: number;
  news: number;
}

function simOptions(w: Workload): SimulatorProcessOptions {
  return { seed: flags.seed, articles: w.articles, maxNewsItems: flags.maxNewsItems, contentBytes: flags.contentBytes, images: w.images, videos: w.videos, voices: w.voices, news: w.news, latencyMs: flags.latency };
}

function itemsPerSource(w: Workload): Record<Source, number> {
  return { published: w.articles, "material:image": w.images, "material:video": w.videos, "material:voice": w.voices, "material:news": w.news };
}

/** The fewest list calls that can read a list of n items: ceil(n/20), and one call to learn that a list is empty. */
const pagesOf = (n: number): number => Math.max(1, Math.ceil(n / MAX_PAGE_SIZE));

/**
 * How mpsync runs a full sync of an account (bench/mpsync.ts, as `mpsync sync --inline`
 * does through runMany): the five sources side by side, under one per-account limit of
 * `concurrency` WeChat requests in flight. The latency lower bound of reading P pages
 * is therefore ceil(P / concurrency) x latency.
 */
function timeBound(pages: number, concurrency: number): number {
  return Math.ceil(pages / concurrency) * flags.latency;
}

function fullTimeBound(w: Workload, concurrency: number): { ms: number; pages: number } {
  const pages = minListCalls(w);
  return { ms: timeBound(pages, concurrency), pages };
}

function minListCalls(w: Workload): number {
  return Object.values(itemsPerSource(w)).reduce((s, n) => s + pagesOf(n), 0);
}

// ---------- one measured sync ----------

interface Measured {
  child: ChildResult;
  calls: CallCounts;
  writes: WriteDelta;
  /** HTML bytes stored (full syncs) */
  contentBytes?: number;
  verification: Verification;
  runs?: RunResult[];
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

async function measure(impl: ChildArgs["impl"], mode: ChildArgs["mode"], dbUrl: string, withBytes: boolean): Promise<Measured> {
  const s = sim!;
  const before = await tableWrites(dbUrl);
  await s.resetCounters();
  const child = await runChild(
    { impl, mode, databaseUrl: dbUrl, redisUrl, redisPrefix, simUrl: s.url, concurrency: flags.concurrency, logLevel: process.env.LOG_LEVEL || "warn" },
    flags.childTimeout * 1000,
    flags.syncNodeOptions.split(/\s+/).filter(Boolean),
  );
  const calls = callCounts(await s.counters());
  const writes = writeDelta(before, await tableWrites(dbUrl));
  const verification = await verifyStore(dbUrl, await s.summary());
  const m: Measured = { child, calls, writes, verification };
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
  const child = spawn(process.execPath, ["--import", "tsx", path.join(BENCH_DIR, "cleanup.ts"), JSON.stringify({ serverUrl, runId, redisUrl })], {
    cwd: REPO_DIR,
    detached: true,
    stdio: "ignore",
  });
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
  const w: Workload = { articles: flags.articles, images: flags.images, videos: flags.videos, voices: flags.voices, news: flags.news };
  progress(`run ${runId}: databases mpsync_bench_${runId}_* on ${redactUrl(serverUrl)}, Redis prefix ${redisPrefixRoot}`);
  await dbs.prepareTemplate();

  progress(`starting the simulator (${fmtInt(w.articles)} articles, ${fmtInt(w.images + w.videos + w.voices + w.news)} materials, ${flags.latency} ms latency)`);
  sim = await startSimulator(simOptions(w));
  const summary0 = await sim.summary();
  const newsItems = summary0.published.reduce((s, a) => s + a.deleted.length, 0);

  // 1. full sync
  const mainDb = await dbs.fresh("mpsync");
  progress("1. mpsync full sync");
  const full = await measure("mpsync", "full", mainDb.url, true);

  // 3. incremental, nothing changed
  progress("3. mpsync incremental sync, no change");
  const incrNone = await measure("mpsync", "incremental", mainDb.url, false);

  // 2. the baseline, same content, its own fresh database
  let baseline: Measured | undefined;
  if (!flags.skipBaseline) {
    const bDb = await dbs.fresh("baseline");
    progress("2. baseline full sync (sequential pages, one Prisma upsert per row)");
    baseline = await measure("baseline", "full", bDb.url, true);
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
  const incrChange = await measure("mpsync", "incremental", mainDb.url, false);
  // incremental runs never mark deletions (src/sync/walk-incremental.ts); the periodic full run does
  progress("4b. mpsync full sync of the same store after the change");
  const fullAfter = await measure("mpsync", "full", mainDb.url, false);
  await dbs.drop(mainDb.name);

  // 5. scaling
  const scaling: { factor: number; workload: Workload; wallMs: number; peakRssMB: number; listCalls: number; boundMs: number; rows: number }[] = [];
  const scaleRow = (factor: number, wl: Workload, m: Measured) => ({
    factor,
    workload: wl,
    wallMs: m.child.wallMs,
    peakRssMB: m.child.peakRssMB,
    listCalls: m.calls.list,
    boundMs: fullTimeBound(wl, flags.concurrency).ms,
    rows: m.writes.content,
  });
  scaling.push(scaleRow(1, w, full));
  if (flags.scaling) {
    for (const factor of [2, 4]) {
      const wl: Workload = { articles: w.articles * factor, images: w.images * factor, videos: w.videos * factor, voices: w.voices * factor, news: w.news * factor };
      await sim.stop();
      progress(`5. scaling ${factor}x: ${fmtInt(wl.articles)} articles, ${fmtInt(wl.images + wl.videos + wl.voices + wl.news)} materials`);
      sim = await startSimulator(simOptions(wl));
      const db = await dbs.fresh(`scale${factor}`);
      const m = await measure("mpsync", "full", db.url, false);
      await dbs.drop(db.name);
      scaling.push(scaleRow(factor, wl, m));
    }
  }

  // ---------- figures ----------
  const c = flags.concurrency;
  const L = flags.latency;
  const bound = fullTimeBound(w, c);
  const minCalls = minListCalls(w);
  const fullSec = full.child.wallMs / 1000;
  const htmlMB = (full.contentBytes ?? 0) / MB;
  const minRows = w.articles + newsItems + w.images + w.videos + w.voices + w.news; // news materials' items not counted: none by default
  const callsOver = full.calls.list / minCalls - 1;
  const boundRatio = bound.ms > 0 ? full.child.wallMs / bound.ms : 0;
  const ratio = baseline ? baseline.child.wallMs / full.child.wallMs : undefined;
  const rssLimit = 300;
  const maxRss = Math.max(...scaling.map((s) => s.peakRssMB));
  const incrNoneCalls = SOURCES.length;
  const changeMinCalls = pagesOf(NEW_ARTICLES + 1) + (SOURCES.length - 1);
  const rowsOf = (m: Measured) => `${fmtInt(m.writes.content)} (+${fmtInt(m.writes.bookkeeping)} bookkeeping)`;
  const deletedSeen = incrChange.runs?.reduce((s, r) => s + r.markedDeleted, 0) ?? 0;

  const sections: Section[] = [];
  sections.push({
    title: "1. Full sync, mpsync",
    rows: [
      { label: "wall time", value: fmtSec(full.child.wallMs), bound: `${fmtSec(bound.ms)} (${fmtInt(bound.pages)} pages x ${L} ms / ${c})`, verdict: bound.ms > 0 ? `${boundRatio.toFixed(2)}x the bound: ${verdict(boundRatio <= 1.5, "<= 1.5x")}` : "" },
      { label: "API list calls", value: fmtInt(full.calls.list), bound: `${fmtInt(minCalls)} (page minimum)`, verdict: `${(callsOver * 100).toFixed(1)}% over: ${verdict(callsOver <= 0.05, "<= 5%")}` },
      { label: "token / other API calls", value: `${fmtInt(full.calls.token)} / ${fmtInt(full.calls.other)}`, bound: "1 / 0" },
      { label: "content rows written", value: rowsOf(full), bound: `${fmtInt(minRows)} (one per row)` },
      { label: "rows written per second", value: fmtInt(full.writes.content / fullSec) },
      { label: "MB of content per second", value: `${(htmlMB / fullSec).toFixed(1)} MB/s`, bound: `${fmtMB(htmlMB)} of HTML in total` },
      ...[...(full.runs ?? [])]
        .sort((a, b) => SOURCES.indexOf(a.source) - SOURCES.indexOf(b.source))
        .map((r) => ({
          label: `  ${r.source}`,
          value: `${fmtSec(r.durationMs)}, ${fmtInt(r.apiCalls)} calls`,
          bound: `${fmtInt(pagesOf(itemsPerSource(w)[r.source]))} pages (side by side)`,
        })),
      { label: "CPU time of the sync process", value: fmtSec(full.child.cpuMs), bound: `${((full.child.cpuMs / full.child.wallMs) * 100).toFixed(0)}% of one core` },
      { label: "peak RSS (sync process)", value: fmtMB(full.child.peakRssMB), bound: `${fmtMB(full.child.startRssMB)} before syncing; heap peak ${fmtMB(full.child.sampledPeakHeapMB)}`, verdict: verdict(full.child.peakRssMB < rssLimit, `< ${rssLimit} MB`) },
      { label: "store matches WeChat", value: full.verification.ok ? "yes" : `no: ${full.verification.missing} missing, ${full.verification.stale} stale` },
    ],
  });
  if (baseline) {
    const bSec = baseline.child.wallMs / 1000;
    sections.push({
      title: "2. Full sync, baseline (sequential pages, one Prisma upsert per row)",
      rows: [
        { label: "wall time", value: fmtSec(baseline.child.wallMs), bound: `${fmtSec(minCalls * L)} (${fmtInt(minCalls)} pages x ${L} ms / 1)` },
        { label: "API list calls", value: fmtInt(baseline.calls.list), bound: `${fmtInt(minCalls)} (page minimum)` },
        { label: "content rows written", value: rowsOf(baseline), bound: fmtInt(minRows) },
        { label: "rows written per second", value: fmtInt(baseline.writes.content / bSec) },
        { label: "MB of content per second", value: `${((baseline.contentBytes ?? 0) / MB / bSec).toFixed(1)} MB/s` },
        { label: "CPU time of the sync process", value: fmtSec(baseline.child.cpuMs), bound: `${((baseline.child.cpuMs / baseline.child.wallMs) * 100).toFixed(0)}% of one core` },
        { label: "peak RSS (sync process)", value: fmtMB(baseline.child.peakRssMB), bound: `${fmtMB(baseline.child.startRssMB)} before syncing; heap peak ${fmtMB(baseline.child.sampledPeakHeapMB)}` },
        { label: "store matches WeChat", value: baseline.verification.ok ? "yes" : `no: ${baseline.verification.missing} missing, ${baseline.verification.stale} stale` },
        { label: "baseline time / mpsync time", value: `${ratio!.toFixed(1)}x`, verdict: verdict(ratio! >= 10, ">= 10x") },
      ],
    });
  }
  sections.push({
    title: "3. Incremental sync, no change",
    rows: [
      { label: "wall time", value: fmtSec(incrNone.child.wallMs), bound: `${fmtSec(timeBound(incrNoneCalls, c))} (${incrNoneCalls} pages x ${L} ms / ${c})` },
      { label: "API list calls", value: fmtInt(incrNone.calls.list), bound: `${incrNoneCalls} (one per source)`, verdict: verdict(incrNone.calls.list <= incrNoneCalls, `${incrNoneCalls}`) },
      { label: "token / other API calls", value: `${fmtInt(incrNone.calls.token)} / ${fmtInt(incrNone.calls.other)}` },
      { label: "content rows written", value: rowsOf(incrNone), bound: "0", verdict: verdict(incrNone.writes.content === 0, "0") },
    ],
  });
  sections.push({
    title: `4. Incremental sync after ${NEW_ARTICLES} new articles and ${deleteCount} deletions`,
    rows: [
      { label: "wall time", value: fmtSec(incrChange.child.wallMs), bound: `${fmtSec(timeBound(changeMinCalls, c))} (${changeMinCalls} pages x ${L} ms / ${c})` },
      { label: "API list calls", value: fmtInt(incrChange.calls.list), bound: `${changeMinCalls} (${pagesOf(NEW_ARTICLES + 1)} pages + 1 per other source)` },
      { label: "content rows written", value: rowsOf(incrChange), bound: `~${fmtInt(NEW_ARTICLES * (1 + (flags.maxNewsItems + 1) / 2))} (new articles + their news items)` },
      { label: "deletions marked", value: `${deletedSeen} of ${liveDeleted}`, bound: "0: incremental runs leave deletions to the full run" },
      { label: "store matches WeChat", value: incrChange.verification.ok ? "yes" : `no: ${incrChange.verification.missing} missing, ${incrChange.verification.stale} stale` },
    ],
  });
  const fullAfterDeleted = fullAfter.runs?.reduce((s, r) => s + r.markedDeleted, 0) ?? 0;
  sections.push({
    title: "4b. Full sync of that store afterwards (the periodic full run, which marks deletions)",
    rows: [
      { label: "wall time", value: fmtSec(fullAfter.child.wallMs), bound: fmtSec(fullTimeBound({ ...w, articles: w.articles + NEW_ARTICLES - deleteCount }, c).ms) },
      { label: "API list calls", value: fmtInt(fullAfter.calls.list), bound: `${fmtInt(minListCalls({ ...w, articles: w.articles + NEW_ARTICLES - deleteCount }))} (page minimum)` },
      { label: "content rows written", value: rowsOf(fullAfter), bound: `${liveDeleted} articles + their news items` },
      { label: "deletions marked", value: `${fullAfterDeleted} of ${liveDeleted}`, bound: liveDeleted < deleteCount ? `${deleteCount - liveDeleted} of the ${deleteCount} were deleted already (all news items)` : "" },
      { label: "store matches WeChat", value: fullAfter.verification.ok ? "yes" : `no: ${fullAfter.verification.missing} missing, ${fullAfter.verification.stale} stale` },
    ],
  });
  if (scaling.length > 1) {
    const base = scaling[0]!;
    sections.push({
      title: "5. Scaling of the full sync (time should grow linearly, memory stay flat)",
      rows: scaling.flatMap((s) => [
        {
          label: `${s.factor}x (${fmtInt(s.workload.articles + s.workload.images + s.workload.videos + s.workload.voices + s.workload.news)} items)`,
          value: `${fmtSec(s.wallMs)}, ${fmtMB(s.peakRssMB)}`,
          bound: `${fmtSec(s.boundMs)}; ${fmtInt(s.listCalls)} calls`,
          verdict: s.factor === 1 ? "" : `time ${(s.wallMs / base.wallMs / s.factor).toFixed(2)} of linear; ${verdict(s.peakRssMB < rssLimit, `< ${rssLimit} MB`)}`,
        },
      ]),
    });
  }

  const header = [
    `mpsync benchmark, ${started.toISOString()}  (${machine().cpus} cpus, ${machine().memoryGB} GB, node ${process.version}, load ${machine().loadAverageAtStart.join(" ")})`,
    `account: ${fmtInt(w.articles)} published articles (${fmtInt(newsItems)} news items, ${fmtMB(htmlMB)} HTML), ${fmtInt(w.images)} images, ${fmtInt(w.videos)} videos, ${fmtInt(w.voices)} voices, ${fmtInt(w.news)} news materials`,
    ...(flags.syncNodeOptions ? [`sync processes run with node ${flags.syncNodeOptions}`] : []),
    `latency ${L} ms per list request; allowed concurrency ${c} requests in flight for the account, shared by its ${SOURCES.length} sources running side by side (as mpsync sync runs them)`,
  ];
  const table = renderTable(header, sections);
  process.stdout.write(table + "\n");

  const summarize = (m: Measured | undefined) =>
    m && {
      wallMs: Math.round(m.child.wallMs),
      peakRssMB: Number(m.child.peakRssMB.toFixed(1)),
      startRssMB: Number(m.child.startRssMB.toFixed(1)),
      sampledPeakHeapMB: Number(m.child.sampledPeakHeapMB.toFixed(1)),
      cpuMs: Math.round(m.child.cpuMs),
      calls: m.calls,
      writes: m.writes,
      contentBytes: m.contentBytes,
      verification: m.verification,
      runs: m.runs,
      details: m.child.impl === "baseline" ? m.child.details : undefined,
    };
  const result = {
    date: started.toISOString(),
    machine: machine(),
    command: `npm run bench --${process.argv.slice(2).length ? " " + process.argv.slice(2).join(" ") : ""}`,
    settings: { ...flags, pageSize: MAX_PAGE_SIZE },
    workload: { ...w, newsItems, htmlBytes: full.contentBytes },
    bounds: { fullTimeMs: bound.ms, minListCalls: minCalls, minContentRows: minRows, baselineTimeMs: minCalls * L },
    full: summarize(full),
    baseline: summarize(baseline),
    baselineOverMpsync: ratio,
    incrementalNoChange: summarize(incrNone),
    incrementalAfterChange: { newArticles: NEW_ARTICLES, deletions: deleteCount, ...summarize(incrChange) },
    fullAfterChange: summarize(fullAfter),
    scaling,
    targets: {
      fullAtLeast10xBaseline: ratio === undefined ? null : ratio >= 10,
      fullWithin1_5xOfLatencyBound: bound.ms > 0 ? boundRatio <= 1.5 : null,
      fullCallsWithin5PercentOfMinimum: callsOver <= 0.05,
      incrementalNoChangeOneCallPerSource: incrNone.calls.list <= incrNoneCalls,
      incrementalNoChangeZeroRows: incrNone.writes.content === 0,
      peakRssUnder300MB: maxRss < rssLimit,
      timeLinear: scaling.length > 1 ? scaling.map((s) => Number((s.wallMs / scaling[0]!.wallMs / s.factor).toFixed(2))) : null,
    },
    table,
  };
  const out = path.resolve(REPO_DIR, flags.out);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(result, null, 2) + "\n");
  progress(`wrote ${path.relative(REPO_DIR, out)}`);
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
