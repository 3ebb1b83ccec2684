// Processor of "push-publish": one PUBLISHJOBFINISH, processed once. Status 0: the article
// is fetched and written (src/sync/push-article.ts), its media mirrored, and the account's
// incremental walk of the published list asked for (deduplicated as every request);
// 5 and 6: marked deleted once getarticle confirms; 1-4: recorded. The outcome lands on
// the publish_jobs row and in the metrics.
import { DelayedError, UnrecoverableError } from "bullmq";
import type { Enqueued, RunRequest } from "../../src/job-queue.ts";
import type { Logger } from "../../src/logging/logger.ts";
import type { Metrics } from "../../src/metrics/registry.ts";
import type { PushStore } from "../../src/store/push-store.ts";
import { SyncLockedError } from "../../src/sync/errors.ts";
import type { ArticleApplied, PushArticleWriter } from "../../src/sync/push-article.ts";
import type { JobPayload } from "../catalog.ts";
import type { JobContext } from "../dispatch.ts";
import { decideFailure } from "../retry-policy.ts";

/** A walk holds the (account, published) lock: look again this soon (walks of a new head are short). */
export const PUSH_LOCKED_RETRY_MS = 500;

export interface PushPublishDeps {
  pushes: PushStore;
  articles: PushArticleWriter;
  enqueueSync(req: RunRequest): Promise<Enqueued>;
  requestMedia(appId: string): Promise<void>;
  metrics?: Metrics;
  logger: Logger;
}

const FAILED_PUBLISH: Record<number, string> = { 1: "publishing", 2: "original-declaration failed", 3: "failed", 4: "review rejected" };

export async function processPushPublish(deps: PushPublishDeps, payload: JobPayload<"push-publish">, { job, token }: JobContext): Promise<{ outcome: string }> {
  const pj = await deps.pushes.publishJob(BigInt(payload.publishJobId));
  if (!pj) throw new UnrecoverableError(`publish job ${payload.publishJobId} does not exist`);
  // processed once: a redelivered job finds its outcome recorded
  if (pj.state !== "pending") return { outcome: pj.outcome ?? pj.state };
  const finish = async (outcome: string, detail: string | null, runId: bigint | null, state: "done" | "failed" = "done") => {
    await deps.pushes.finishPublishJob(pj.id, { state, outcome, detail, runId });
    deps.metrics?.recordPublishJob(pj.publishStatus, outcome);
    return { outcome };
  };
  const status = pj.publishStatus;
  if (status >= 1 && status <= 4) {
    const detail = `${FAILED_PUBLISH[status]}${pj.failIdx.length ? `; failed news items ${pj.failIdx.join(", ")}` : ""}`;
    return finish("recorded", detail, null);
  }
  if ((status !== 0 && status !== 5 && status !== 6) || !pj.articleId) {
    return finish("recorded", status === 0 || status === 5 || status === 6 ? "no article_id in the event" : `unknown publish_status ${status}`, null);
  }
  let applied: ArticleApplied;
  try {
    applied = await deps.articles.apply({ appId: pj.appId, articleId: pj.articleId, expect: status === 0 ? "live" : "deleted", jobId: job.id });
  } catch (e) {
    if (e instanceof SyncLockedError) {
      await job.moveToDelayed(Date.now() + PUSH_LOCKED_RETRY_MS, token);
      throw new DelayedError();
    }
    const next = decideFailure(e);
    const last = next.action === "fail" || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (last) await finish("error", e instanceof Error ? e.message : String(e), null, "failed");
    if (next.action === "fail") throw new UnrecoverableError(e instanceof Error ? e.message : String(e));
    throw e;
  }
  const result = await finish(applied.outcome, applied.detail, applied.runId);
  if (applied.outcome === "stored") await deps.requestMedia(pj.appId).catch((e: unknown) => deps.logger.warn({ err: e, appId: pj.appId }, "media pass not requested"));
  // the walk catches anything else (and, when the quota deferred it, this article)
  if (status === 0) await deps.enqueueSync({ appId: pj.appId, source: "published", mode: "incremental", trigger: "push" });
  return result;
}
