// The store as the sync engine uses it: a narrow facade over the SQL files in sql/.
// Each page is written in ONE transaction together with the run's checkpoint (a full
// walk's in its page row, sync_walk_pages; an incremental run's in its sync_runs row).
import { DEFAULT_SEARCH_INDEX } from "../config/defaults.ts";
import { pgPoolOf, type PrismaClient } from "./prisma.ts";
import { pgTx, withPgTransaction } from "./pg-transaction.ts";
import type { Tx } from "./sql/tx.ts";
import { rowKey, type ArticleRow, type ItemRow, type MaterialRow, type StoreSource } from "./rows.ts";
import { ensureAccount } from "./sql/ensure-account.ts";
import { clearThrottledUntil, readThrottledUntil, recordAccountError, setThrottledUntil } from "./sql/account-status.ts";
import { selectStoredState, type StoredState } from "./sql/select-stored-state.ts";
import { upsertArticles } from "./sql/upsert-articles.ts";
import { upsertMaterials } from "./sql/upsert-materials.ts";
import { upsertNewsItems, type SearchWrite } from "./sql/upsert-news-items.ts";
import { markSurplusNewsItems } from "./sql/mark-surplus-news-items.ts";
import { recordWalkPage, walkSoFar } from "./sql/walk-pages.ts";
import { absentKeys, liveRowCount, markDeleted } from "./sql/mark-absent-deleted.ts";
import { heldCount, heldSummary, lockHeldKeys, releaseHeld, replaceHeld, takeHeld, type HeldSummary } from "./sql/held-deletions.ts";
import { dropCheckpoints, failRun, finishRun, lockRunningRun, pauseRun, saveProgress, startRun, succeededRunOfJob, walkTotals, type RunCountersRow, type StartedRun, type SucceededRun, type WalkTotals } from "./sql/sync-runs.ts";
import { tryAdvisoryLock, type HeldLock } from "./sql/advisory-lock.ts";
import { selectArticleTimes, type StoredArticleTimes } from "./sql/article-times.ts";
import { recordChanges, type ItemChange, type ItemChangeKind } from "./sql/content-changes.ts";

export type { StoredArticleTimes };
export type { StoredState, RunCountersRow, StartedRun, HeldLock, HeldSummary, ItemChange, ItemChangeKind, WalkTotals };

export interface PageWrite {
  accountId: number;
  runId: bigint;
  source: StoreSource;
  /** rows to insert or update (the caller left out the unchanged ones) */
  rows: ItemRow[];
  /** what each written row's change is (the change feed's events, written in this transaction) */
  changes: ItemChange[];
  /**
   * full walks: the batch's page row, with `keys` (those the walk had not seen yet) for
   * absence marking and the checkpoint and counters; `saveRun` also saves those two to the
   * run row (for display and heartbeat; the page row is what resumption and the run's end use)
   */
  walk?: { sourceName: string; walkId: bigint; seq: number; keys: string[]; saveRun: boolean };
  /** every key the page(s) returned, when the source has held deletions: rows seen are no longer held */
  release?: { source: string; keys: string[] };
  checkpoint: unknown;
  counters: RunCountersRow;
}

export interface RunFinish {
  accountId: number;
  runId: bigint;
  source: StoreSource;
  sourceName: string;
  counters: RunCountersRow;
  /**
   * full, consistent walks: live rows the walk did not see are marked deleted, or held,
   * as `decide` says (the deletion circuit breaker); the source's held set becomes `hold`
   */
  markAbsent: { walkId: bigint; decide(a: AbsentRows): AbsenceDecision } | null;
  /** full walks: any other unfinished checkpoint of the source is dropped */
  walkId: bigint | null;
  consistencyNote: string | null;
}

/** What a consistent full walk found absent, for the deletion circuit breaker. */
export interface AbsentRows {
  /** keys of live rows the walk did not see */
  absent: string[];
  /** keys held by the previous full walk of the source */
  held: ReadonlySet<string>;
  /** live rows of the source before this decision */
  live: number;
}

export interface AbsenceDecision {
  apply: string[];
  hold: string[];
}

export interface SyncStore {
  ensureAccount(appId: string, name: string | null): Promise<number>;
  throttledUntil(accountId: number): Promise<Date | null>;
  setThrottledUntil(accountId: number, until: Date): Promise<void>;
  clearThrottledUntil(accountId: number): Promise<void>;
  recordAccountError(accountId: number, code: number | null, message: string): Promise<void>;
  lock(name: string): Promise<HeldLock | null>;
  startRun(a: { accountId: number; source: string; mode: string; trigger: string; jobId: string | null }): Promise<StartedRun>;
  /** the succeeded run a job already asked for, if any */
  succeededRunOfJob(accountId: number, source: string, jobId: string): Promise<SucceededRun | null>;
  walkTotals(walkRunId: bigint): Promise<WalkTotals | null>;
  storedState(accountId: number, source: StoreSource, keys: string[]): Promise<Map<string, StoredState>>;
  /** refuses (RunNotRunningError, nothing written) when the run is no longer running */
  writePage(w: PageWrite): Promise<void>;
  /** a resumed full walk's keys so far and the seq of its last page row (0: none) */
  walkSoFar(accountId: number, sourceName: string, walkId: bigint): Promise<{ keys: string[]; lastSeq: number }>;
  /** returns how many rows were marked deleted and how many deletions are held; refuses like writePage */
  finishRun(f: RunFinish): Promise<{ marked: number; held: number }>;
  /** a no-op for a run no longer running (its closer's record stays) */
  failRun(runId: bigint, counters: RunCountersRow, end: { status: "failed" | "interrupted"; errorCode: number | null; errorMessage: string }): Promise<void>;
  /** status paused, with the reason and when it resumes; the checkpoint stays for the next run of this mode */
  pauseRun(runId: bigint, counters: RunCountersRow, reason: string, resumeAt: Date): Promise<void>;
  /** live rows of the source and its held deletions, before a run */
  sourceState(accountId: number, source: StoreSource, sourceName: string): Promise<{ liveRows: number; held: number }>;
  heldDeletions(filter?: { appIds?: string[]; source?: string }): Promise<HeldSummary[]>;
  /**
   * marks these rows deleted in the running run `runId` (a publish WeChat reports deleted or
   * banned, confirmed by freepublish/getarticle), with their change events; returns the keys marked
   */
  markDeletedInRun(accountId: number, runId: bigint, source: StoreSource, keys: string[]): Promise<string[]>;
  /** an article's stored times and whether the account's list carries create_time (push: src/sync/push-article.ts) */
  articleTimes(accountId: number, articleId: string): Promise<StoredArticleTimes>;
  /** marks the source's held deletions deleted at once (operator command); returns how many rows it marked */
  applyHeld(accountId: number, source: StoreSource, sourceName: string): Promise<number>;
}

/** opts.searchIndex: SEARCH_INDEX (config searchIndexOn); off, page writes leave the search columns NULL */
export function createSyncStore(prisma: PrismaClient, databaseUrl: string, opts: SearchWrite = { searchIndex: DEFAULT_SEARCH_INDEX }): SyncStore {
  // A run's reads and writes go to the pool directly (pg-transaction.ts says why). That also
  // frees them from Prisma's interactive-transaction timeout (5 s, P2028), which a large
  // source's finish (absence marking) exceeded on a loaded machine.
  const pool = pgPoolOf(prisma);
  const runTransaction = <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => withPgTransaction(pool, fn);
  const runQueries = pgTx(pool);
  return {
    ensureAccount: (appId, name) => ensureAccount(prisma, appId, name),
    throttledUntil: (accountId) => readThrottledUntil(prisma, accountId),
    setThrottledUntil: (accountId, until) => setThrottledUntil(prisma, accountId, until),
    clearThrottledUntil: (accountId) => clearThrottledUntil(prisma, accountId),
    recordAccountError: (accountId, code, message) => recordAccountError(prisma, accountId, code, message),
    lock: (name) => tryAdvisoryLock(databaseUrl, name),
    startRun: (a) => runTransaction((tx) => startRun(tx, a)),
    succeededRunOfJob: (accountId, source, jobId) => succeededRunOfJob(prisma, accountId, source, jobId),
    walkTotals: async (walkRunId) => (await walkTotals(prisma, [walkRunId])).get(walkRunId) ?? null,
    storedState: (accountId, source, keys) => selectStoredState(runQueries, accountId, source, keys),

    async writePage(w) {
      return runTransaction(async (tx) => {
        await lockRunningRun(tx, w.runId);
        const which = w.source.kind;
        if (which === "published") await upsertArticles(tx, w.accountId, w.runId, w.rows as ArticleRow[]);
        else await upsertMaterials(tx, w.accountId, w.runId, w.rows as MaterialRow[]);
        const items = w.rows.flatMap((r) => r.newsItems.map((item) => ({ owner: rowKey(r), item })));
        await upsertNewsItems(tx, which, w.accountId, items, opts);
        // a row seen for the first time has no stored news items past its end
        const created = new Set(w.changes.filter((c) => c.change === "created").map((c) => c.key));
        const owners = w.rows.map((r) => ({ owner: rowKey(r), count: r.newsItems.length })).filter((o) => !created.has(o.owner));
        await markSurplusNewsItems(tx, which, w.accountId, owners);
        if (w.walk) {
          const { sourceName, walkId, seq, keys } = w.walk;
          await recordWalkPage(tx, { accountId: w.accountId, source: sourceName, walkId, seq, runId: w.runId, keys, checkpoint: w.checkpoint, counters: w.counters });
        }
        if (w.release) await releaseHeld(tx, w.accountId, w.release.source, w.release.keys);
        if (!w.walk || w.walk.saveRun) await saveProgress(tx, w.runId, w.checkpoint, w.counters);
        // last: the outbox lock is held from here to the commit
        await recordChanges(tx, w.accountId, w.runId, w.source, w.changes);
      });
    },

    walkSoFar: (accountId, sourceName, walkId) => walkSoFar(runQueries, accountId, sourceName, walkId),

    async finishRun(f) {
      return runTransaction(async (tx) => {
        await lockRunningRun(tx, f.runId);
        let marked = 0;
        let held = 0;
        let gone: string[] = [];
        if (f.markAbsent) {
          const heldBefore = new Set(await lockHeldKeys(tx, f.accountId, f.sourceName));
          const absent = await absentKeys(tx, f.accountId, { sourceName: f.sourceName, walkId: f.markAbsent.walkId }, f.source);
          const live = absent.length > 0 ? await liveRowCount(tx, f.accountId, f.source) : 0;
          const decision = f.markAbsent.decide({ absent, held: heldBefore, live });
          gone = await markDeleted(tx, f.accountId, f.runId, f.source, decision.apply);
          marked = gone.length;
          if (heldBefore.size > 0 || decision.hold.length > 0) await replaceHeld(tx, f.accountId, f.sourceName, f.runId, decision.hold);
          held = decision.hold.length;
        }
        await finishRun(tx, f.runId, { ...f.counters, markedDeleted: f.counters.markedDeleted + marked }, f.consistencyNote, held);
        // the walk's page rows stay: the next full walk of the source overwrites them in place
        if (f.walkId !== null) await dropCheckpoints(tx, f.accountId, f.sourceName);
        // only the deletions applied are reported; held ones are not (yet) deletions
        await recordChanges(tx, f.accountId, f.runId, f.source, gone.map((key) => ({ key, change: "deleted" as const })));
        return { marked, held };
      });
    },

    // both take the checkpoint and counters of the run's newest page row (see sync-runs.ts)
    failRun: (runId, counters, end) => failRun(prisma, runId, counters, end),
    pauseRun: (runId, counters, reason, resumeAt) => pauseRun(prisma, runId, counters, reason, resumeAt),

    async sourceState(accountId, source, sourceName) {
      const [liveRows, held] = await Promise.all([liveRowCount(prisma, accountId, source), heldCount(prisma, accountId, sourceName)]);
      return { liveRows, held };
    },

    heldDeletions: (filter) => heldSummary(prisma, filter),

    articleTimes: (accountId, articleId) => selectArticleTimes(runQueries, accountId, articleId),

    markDeletedInRun(accountId, runId, source, keys) {
      return runTransaction(async (tx) => {
        await lockRunningRun(tx, runId);
        const gone = await markDeleted(tx, accountId, runId, source, keys);
        await recordChanges(tx, accountId, runId, source, gone.map((key) => ({ key, change: "deleted" as const })));
        return gone;
      });
    },

    applyHeld(accountId, source, sourceName) {
      return runTransaction(async (tx) => {
        const gone = await markDeleted(tx, accountId, null, source, await takeHeld(tx, accountId, sourceName));
        await recordChanges(tx, accountId, null, source, gone.map((key) => ({ key, change: "deleted" as const })));
        return gone.length;
      });
    },
  };
}
