// The store of message pushes: events as received, publish jobs deduplicated, and each
// account's push state for the console and `mpsync status`.
import { pgPoolOf, type PrismaClient } from "./prisma.ts";
import { withPgTransaction, pgTx } from "./pg-transaction.ts";
import { ensureAccount } from "./sql/ensure-account.ts";
import { finishPublishJob, insertPushEvent, selectPublishJob, selectPublishJobs, selectPushStates, type PublishJobRow, type PushEventInsert, type PushStateRow, type RecordedPush } from "./sql/push-events.ts";

export type { PublishJobRow, PushStateRow, RecordedPush };

export interface PushStore {
  /** stores a valid push (and its publish job unless one exists), in one transaction */
  recordPush(appId: string, name: string | null, e: Omit<PushEventInsert, "accountId">): Promise<RecordedPush>;
  publishJob(id: bigint): Promise<PublishJobRow | null>;
  publishJobs(appId: string, limit: number): Promise<PublishJobRow[]>;
  finishPublishJob(id: bigint, end: { state: "done" | "failed"; outcome: string; detail: string | null; runId: bigint | null }): Promise<void>;
  pushStates(appIds: string[]): Promise<Map<string, PushStateRow>>;
}

export function createPushStore(prisma: PrismaClient): PushStore {
  const pool = pgPoolOf(prisma);
  const q = pgTx(pool);
  return {
    recordPush: (appId, name, e) =>
      withPgTransaction(pool, async (tx) => {
        const accountId = await ensureAccount(tx, appId, name);
        return insertPushEvent(tx, { ...e, accountId });
      }),
    publishJob: (id) => selectPublishJob(q, id),
    publishJobs: (appId, limit) => selectPublishJobs(q, appId, limit),
    finishPublishJob: (id, end) => finishPublishJob(q, id, end),
    async pushStates(appIds) {
      const rows = await selectPushStates(q, appIds);
      return new Map(rows.map((r) => [r.appId, r]));
    },
  };
}
