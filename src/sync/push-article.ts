// One published article announced by a message push (PUBLISHJOBFINISH), written through
// the same path as a walk: under the (account, published) lock, as a run of its own
// (sync_runs mode "push"), its row hash-skipped by the page sink, with change events (and
// so webhooks) in the page's transaction. freepublish/getarticle has a daily quota of its
// own, budgeted like the lists': a spent budget defers the article to the next walk.
import type { AccountConfig } from "../config/config.ts";
import type { Logger } from "../logging/logger.ts";
import type { SyncStore } from "../store/sync-store.ts";
import { zeroCounters } from "../store/run-counters.ts";
import { ENDPOINTS } from "../wechat/endpoints.ts";
import { ArticleNotFoundError, QuotaExhaustedError, WeChatError } from "../wechat/errors.ts";
import type { PublishedArticleItem, WeChatClient } from "../wechat/types.ts";
import { QuotaPausedError, SyncLockedError, UnknownAccountError } from "./errors.ts";
import { syncLockName } from "./lock-name.ts";
import { toArticleRow } from "./map-rows.ts";
import { storeSourceOf } from "./page-reader.ts";
import { createPageSink } from "./page-sink.ts";
import type { CallQuotaGate } from "./quota-gate.ts";

/**
 * stored: written (new or changed) · unchanged: already stored as WeChat has it ·
 * deleted: marked deleted (statuses 5, 6) · not_deleted: getarticle shows it live, nothing marked ·
 * not_found: getarticle knows no such article (53600) · quota_deferred: the day's getarticle
 * budget is spent; the next incremental walk picks the article up
 */
export type ArticleOutcome = "stored" | "unchanged" | "deleted" | "not_deleted" | "not_found" | "quota_deferred";

export interface ArticleApplied {
  outcome: ArticleOutcome;
  /** the push run (sync_runs.id) that wrote or marked it; null when nothing was written */
  runId: bigint | null;
  detail: string | null;
}

export interface PushArticleRequest {
  appId: string;
  articleId: string;
  /** live: status 0 (write it) · deleted: statuses 5, 6 (mark it deleted once getarticle confirms) */
  expect: "live" | "deleted";
  /** the queue job asking (recorded on the run) */
  jobId?: string;
}

export interface PushArticleWriter {
  /** throws SyncLockedError while a walk of the account's published list holds the lock */
  apply(req: PushArticleRequest): Promise<ArticleApplied>;
}

export interface PushArticleDeps {
  store: SyncStore;
  accounts: AccountConfig[];
  clientFor(appId: string): WeChatClient;
  quota?: CallQuotaGate;
  logger: Logger;
}

const SOURCE = "published" as const;

export function createPushArticleWriter(deps: PushArticleDeps): PushArticleWriter {
  const storeSource = storeSourceOf(SOURCE);

  async function apply(req: PushArticleRequest): Promise<ArticleApplied> {
    const account = deps.accounts.find((a) => a.appId === req.appId);
    if (!account) throw new UnknownAccountError(req.appId);
    const accountId = await deps.store.ensureAccount(account.appId, account.name ?? null);
    const lock = await deps.store.lock(syncLockName(req.appId, SOURCE));
    if (!lock) throw new SyncLockedError(req.appId, SOURCE);
    try {
      const api = ENDPOINTS.getArticle;
      if (deps.quota) {
        await deps.quota.prepareCall(req.appId, api);
        try {
          await deps.quota.takeCall(req.appId, api, SOURCE);
        } catch (e) {
          if (e instanceof QuotaPausedError) return { outcome: "quota_deferred", runId: null, detail: e.message };
          throw e;
        }
      }
      let article;
      try {
        article = await deps.clientFor(req.appId).getArticle(req.articleId);
      } catch (e) {
        if (e instanceof QuotaExhaustedError) {
          await deps.quota?.exhaustedCall(req.appId, api).catch(() => {});
          return { outcome: "quota_deferred", runId: null, detail: e.message };
        }
        if (!(e instanceof ArticleNotFoundError)) throw e;
        if (req.expect === "live") return { outcome: "not_found", runId: null, detail: e.message };
        // gone from WeChat altogether: that confirms the deletion
        return await inRun(req, accountId, async (runId) => {
          const gone = await deps.store.markDeletedInRun(accountId, runId, storeSource, [req.articleId]);
          return { outcome: gone.length ? "deleted" : "unchanged", detail: gone.length ? null : "not stored, or already marked deleted" };
        });
      }
      const row = toArticleRow(await asTheListHasIt(accountId, article));
      if (req.expect === "deleted" && !row.isDeleted) return { outcome: "not_deleted", runId: null, detail: "freepublish/getarticle shows live news items: nothing marked deleted" };
      return await inRun(req, accountId, async (runId, counters) => {
        const sink = createPageSink({ store: deps.store, accountId, runId, walkId: runId, source: SOURCE, storeSource, counters });
        // no checkpoint (SQL NULL): a push run that fails leaves nothing for the next one to resume
        const [written] = await sink.write([{ rows: [row], attempts: article.attempts, total: 1 }], undefined, { seen: false });
        const changed = written!.status !== "unchanged";
        return { outcome: !changed ? "unchanged" : row.isDeleted ? "deleted" : "stored", detail: null };
      });
    } finally {
      await lock.release();
    }
  }

  /**
   * The article with the times a walk would store, so that the same content has the same
   * hash whichever wrote it first (no second change event): the stored row's create_time,
   * or getarticle's when the account's list carries create_time (none when nothing is stored yet,
   * as the documented list shape); getarticle's update_time, else the stored one.
   */
  async function asTheListHasIt<T extends PublishedArticleItem>(accountId: number, a: T): Promise<T> {
    const t = await deps.store.articleTimes(accountId, a.articleId);
    const seconds = (d: Date | null): number | null => (d === null ? null : Math.floor(d.getTime() / 1000));
    // nothing stored yet: the documented list shape (no create_time on the items)
    const createTime = t.stored ? seconds(t.stored.createTime) : t.listHasCreateTime === true ? a.createTime : null;
    const updateTime = a.updateTime ?? (t.stored ? seconds(t.stored.updateTime) : null);
    return { ...a, createTime, updateTime };
  }

  /** A push run around `write`: started, then finished (or failed with the error). */
  async function inRun(
    req: PushArticleRequest,
    accountId: number,
    write: (runId: bigint, counters: ReturnType<typeof zeroCounters>) => Promise<{ outcome: ArticleOutcome; detail: string | null }>,
  ): Promise<ArticleApplied> {
    const { runId } = await deps.store.startRun({ accountId, source: SOURCE, mode: "push", trigger: "push", jobId: req.jobId ?? null });
    const counters = zeroCounters();
    try {
      const r = await write(runId, counters);
      if (r.outcome === "deleted") counters.markedDeleted += 1;
      await deps.store.finishRun({ accountId, runId, source: storeSource, sourceName: SOURCE, counters, markAbsent: null, walkId: null, consistencyNote: null });
      deps.logger.info({ appId: req.appId, articleId: req.articleId, runId: runId.toString(), outcome: r.outcome }, "pushed article applied");
      return { ...r, runId };
    } catch (e) {
      await deps.store
        .failRun(runId, counters, { status: "failed", errorCode: e instanceof WeChatError ? e.errcode : null, errorMessage: e instanceof Error ? e.message : String(e) })
        .catch(() => {});
      throw e;
    }
  }

  return { apply };
}
