// The sync engine: one run of one (account, source) from lock to sync_runs row.
// Order: account row → throttle check (before any API call) → lock → run row (resuming
// an interrupted checkpoint of the same mode) → walk → finish or fail. Errors are
// recorded by kind and re-thrown typed.
import type { Logger } from "../logging/logger.ts";
import type { AccountConfig } from "../config/config.ts";
import type { WeChatClient } from "../wechat/types.ts";
import { AccountRejectedError, QuotaExhaustedError, WeChatError } from "../wechat/errors.ts";
import type { SyncStore } from "../store/sync-store.ts";
import { AccountThrottledError, QuotaPausedError, SyncAbortedError, SyncLockedError, SyncLockLostError, UnknownAccountError } from "./errors.ts";
import { budgetedReader, type QuotaGate } from "./quota-gate.ts";
import type { RunCounters, RunResult, SyncEngine, SyncRequest } from "./types.ts";
import { newFullCheckpoint, parseFull, parseIncremental, newSequentialState, type FullCheckpoint, type IncrementalCheckpoint } from "./checkpoint.ts";
import { pageReader, storeSourceOf } from "./page-reader.ts";
import { createPageSink } from "./page-sink.ts";
import { walkFull, type RepairLimits } from "./walk-full.ts";
import { walkIncremental } from "./walk-incremental.ts";
import { nextQuotaReset } from "./quota-reset.ts";
import type { WalkContext } from "./run-context.ts";
import { createLimiter, type Limiter } from "./limiter.ts";
import { confirmEmptyList } from "./confirm-empty.ts";
import { decideAbsences } from "./deletion-breaker.ts";
import { syncLockName } from "./lock-name.ts";
import { zeroCounters } from "../store/run-counters.ts";

export interface SyncEngineDeps {
  store: SyncStore;
  accounts: AccountConfig[];
  clientFor(appId: string): WeChatClient;
  logger: Logger;
  /** clock, for the quota reset time */
  now?: () => Date;
  /** bounds of the full walk's repair pass */
  repairLimits?: RepairLimits;
  /** the daily-quota budget; without it every call is made and 45009 throttles (as before issue 12) */
  quota?: QuotaGate;
}

export function createSyncEngine(deps: SyncEngineDeps): SyncEngine {
  const now = deps.now ?? (() => new Date());
  const accountIds = new Map<string, Promise<number>>();
  const limiters = new Map<string, Limiter>();
  const limiterFor = (a: AccountConfig): Limiter => {
    let l = limiters.get(a.appId);
    if (!l) limiters.set(a.appId, (l = createLimiter(a.concurrency)));
    return l;
  };
  const accountId = (a: AccountConfig): Promise<number> => {
    let id = accountIds.get(a.appId);
    if (!id) {
      id = deps.store.ensureAccount(a.appId, a.name ?? null);
      id.catch(() => accountIds.delete(a.appId));
      accountIds.set(a.appId, id);
    }
    return id;
  };

  async function run(req: SyncRequest): Promise<RunResult> {
    const account = deps.accounts.find((a) => a.appId === req.appId);
    if (!account) throw new UnknownAccountError(req.appId);
    const id = await accountId(account);
    const throttled = await deps.store.throttledUntil(id);
    const isThrottled = throttled !== null && throttled > now();
    // a throttled account costs no call at all, not even a quota reading, unless asked to look again
    if (isThrottled && !req.recheckQuota) throw new AccountThrottledError(req.appId, throttled);
    // asked to look again (sync --inline) on a throttled account or a spent budget: one fresh reading
    const cached = req.recheckQuota ? await deps.quota?.peek(req.appId, req.source) : undefined;
    const force = isThrottled || Boolean(cached?.known && cached.remain! <= cached.reserve!);
    const quota = await deps.quota?.prepare(req.appId, req.source, { force: req.recheckQuota && force });
    if (isThrottled) {
      // a fresh reading with room (a new day, the owner's clear_quota) lifts the throttle
      const room = quota?.known && quota.remain! > quota.reserve!;
      if (!room) throw new AccountThrottledError(req.appId, throttled);
      await deps.store.clearThrottledUntil(id);
    }

    const lock = await deps.store.lock(syncLockName(req.appId, req.source));
    if (!lock) throw new SyncLockedError(req.appId, req.source);
    try {
      // a job redelivered after a lost lock or a stall: its run may have finished meanwhile
      // (checked under the lock, so a run finishing elsewhere cannot slip in between)
      const done = req.jobId ? await deps.store.succeededRunOfJob(id, req.source, req.jobId) : null;
      if (done) {
        deps.logger.info({ appId: req.appId, source: req.source, jobId: req.jobId, runId: done.runId.toString() }, "job redelivered after its run succeeded: not run again");
        return await walkResult(req, done.runId, done.walkRunId, { durationMs: 0, note: done.consistencyNote, deletionsHeld: done.deletionsHeld, alreadySucceeded: true });
      }
      return await runLocked(req, account, id, lock.lost);
    } finally {
      await lock.release();
    }
  }

  /** The result of a succeeded run, with the totals of its whole walk. */
  async function walkResult(
    req: SyncRequest,
    runId: bigint,
    walkRunId: bigint,
    r: { durationMs: number; note: string | null; deletionsHeld: number; alreadySucceeded: boolean },
  ): Promise<RunResult> {
    const totals = await deps.store.walkTotals(walkRunId);
    return {
      ...(totals?.counters ?? zeroCounters()),
      runs: totals?.runs ?? 1,
      alreadySucceeded: r.alreadySucceeded,
      runId: runId.toString(),
      source: req.source,
      mode: req.mode,
      status: "succeeded",
      durationMs: r.durationMs,
      consistencyNote: r.note,
      deletionsHeld: r.deletionsHeld,
      errorCode: null,
      errorMessage: null,
    };
  }

  async function runLocked(req: SyncRequest, account: AccountConfig, id: number, lockLost: Promise<never>): Promise<RunResult> {
    const started = performance.now();
    const log = deps.logger.child({ appId: req.appId, source: req.source, mode: req.mode });
    const storeSource = storeSourceOf(req.source);
    // for the breaker: live rows (an empty list is confirmed before it counts) and held deletions
    const before = await deps.store.sourceState(id, storeSource, req.source);
    const { runId, walkRunId, resumedFrom } = await deps.store.startRun({ accountId: id, source: req.source, mode: req.mode, trigger: req.trigger, jobId: req.jobId ?? null });
    const counters = zeroCounters();

    let full: FullCheckpoint | null = null;
    let inc: IncrementalCheckpoint | null = null;
    if (req.mode === "full") full = (resumedFrom && parseFull(resumedFrom.checkpoint)) || newFullCheckpoint(runId);
    else {
      const prev = resumedFrom ? parseIncremental(resumedFrom.checkpoint) : null;
      inc = prev
        ? { ...prev, runIds: [...prev.runIds, runId.toString()] }
        : { v: 1, mode: "incremental", runIds: [runId.toString()], walk: newSequentialState() };
    }
    const walkId = full ? BigInt(full.walkId) : runId;
    if (resumedFrom) log.info({ runId: runId.toString(), resumedFrom: resumedFrom.runId.toString() }, "resuming an interrupted sync run from its checkpoint");

    // A lost lock stops the walk after its current page, like a shutdown request does;
    // the run is recorded only once the walk has settled (see below).
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    req.signal?.addEventListener("abort", onAbort);
    let lockLostCause: { error: unknown } | null = null;
    lockLost.catch((error: unknown) => {
      lockLostCause = { error };
      log.warn({ runId: runId.toString(), err: error }, "sync lock lost: stopping after the current page");
      stop.abort();
    });
    // the account's limiter bounds requests in flight: the client holds a slot for each HTTP
    // exchange only, so parsing a page or a retry's back-off never keeps another request waiting
    const plain = pageReader(deps.clientFor(req.appId), req.source, limiterFor(account));
    const listed = deps.quota ? budgetedReader(plain, deps.quota, req.appId, req.source) : plain;
    const reader = full ? confirmEmptyList(listed, before.liveRows, log) : listed;

    const sink = createPageSink({
      store: deps.store,
      accountId: id,
      runId,
      walkId,
      source: req.source,
      storeSource,
      counters,
      releaseHeld: before.held > 0,
      onProgress: req.onProgress,
    });
    const ctx: WalkContext = {
      runId: runId.toString(),
      reader,
      sink,
      concurrency: account.concurrency,
      signal: stop.signal,
      counters,
    };
    // Never record the run while the walk may still write: a page in flight would commit
    // after the failure. So the walk is awaited even when the lock is lost (it stops after
    // its current page), and a run no longer running refuses writes (RunNotRunningError).
    const lostLock = (): SyncLockLostError | null =>
      lockLostCause && new SyncLockLostError(req.appId, req.source, runId.toString(), { cause: lockLostCause.error });
    let note: string | null;
    let deletionsHeld: number;
    try {
      const outcome = await (full
        ? walkFull(ctx, full, deps.repairLimits).then((r) => ({ markAbsent: r.consistent, note: r.consistent ? null : r.note }))
        : walkIncremental(ctx, inc!).then((r) => ({ markAbsent: false, note: r.note }))
      ).catch((e: unknown) => {
        throw lostLock() ?? e;
      });
      // lost between the last page and here: another process may be running this source
      const lost = lostLock();
      if (lost) throw lost;
      const { marked, held } = await deps.store.finishRun({
        accountId: id,
        runId,
        source: storeSource,
        sourceName: req.source,
        counters,
        markAbsent: outcome.markAbsent ? { walkId, decide: (a) => decideAbsences(a, account.deletionBreaker) } : null,
        walkId: full ? walkId : null,
        consistencyNote: outcome.note,
      });
      counters.markedDeleted += marked;
      if (held > 0) log.warn({ runId: runId.toString(), deletionsHeld: held }, "deletion circuit breaker: deletions held until the next full walk confirms them (or mpsync deletions apply)");
      log.info({ runId: runId.toString(), ...counters, deletionsHeld: held, consistencyNote: outcome.note }, "sync run succeeded");
      note = outcome.note;
      deletionsHeld = held;
    } catch (e) {
      await recordFailure(e, id, runId, counters, log);
      throw e;
    } finally {
      req.signal?.removeEventListener("abort", onAbort);
    }
    // outside the try: the run is recorded as succeeded whatever happens to this read
    return walkResult(req, runId, walkRunId, { durationMs: Math.round(performance.now() - started), note, deletionsHeld, alreadySucceeded: false });
  }

  async function recordFailure(e: unknown, id: number, runId: bigint, counters: RunCounters, log: Logger): Promise<void> {
    const code = e instanceof WeChatError ? e.errcode : null;
    const message = e instanceof Error ? e.message : String(e);
    try {
      if (e instanceof QuotaPausedError) {
        await deps.store.pauseRun(runId, counters, `daily quota of ${e.api}: used ${e.used} of ${e.limit}, reserve ${e.reserve}`, e.resumeAt);
        log.info({ runId: runId.toString(), api: e.api, used: e.used, limit: e.limit, resumeAt: e.resumeAt }, "sync run paused at its checkpoint: the day's quota budget is spent");
        return;
      }
      // a stop on request is an interruption (resumed later), not a failure
      await deps.store.failRun(runId, counters, { status: e instanceof SyncAbortedError ? "interrupted" : "failed", errorCode: code, errorMessage: message });
      if (e instanceof QuotaExhaustedError) {
        await deps.store.setThrottledUntil(id, nextQuotaReset(now()));
      } else if (e instanceof AccountRejectedError) {
        // an operator must act: shown on the account
        await deps.store.recordAccountError(id, code, message);
      }
    } catch (recordError) {
      // the database may be what failed; the run row stays "running" and the next run closes it
      log.warn({ err: recordError }, "could not record the failed sync run");
    }
    if (e instanceof SyncAbortedError) log.info({ runId: runId.toString() }, "sync run stopped on request; it resumes from its checkpoint");
    else log.warn({ runId: runId.toString(), err: e }, "sync run failed");
  }

  return { run };
}
