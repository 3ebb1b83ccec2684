// push_events and publish_jobs: every valid push kept, and one publish job per
// (account, publish_id, publish_status) whatever the retries and replays.
import type { Tx } from "./tx.ts";

export interface PushEventInsert {
  accountId: number;
  mode: string;
  msgType: string | null;
  event: string | null;
  rawXml: string;
  messageXml: string;
  fields: unknown;
  publish: { publishId: string; publishStatus: number; articleId: string | null; failIdx: number[] } | null;
}

export interface RecordedPush {
  eventId: bigint;
  publishJobId: bigint | null;
  /** the publish job existed already (a retry or a replay) */
  duplicate: boolean;
  /** the publish job still waits to be processed (a duplicate of one whose job may have been lost is enqueued again) */
  pending: boolean;
}

/** Stores the event and, for a PUBLISHJOBFINISH, its publish job unless it exists; in the caller's transaction. */
export async function insertPushEvent(tx: Tx, e: PushEventInsert): Promise<RecordedPush> {
  const [ev] = await tx.$queryRawUnsafe<{ id: bigint }[]>(
    `INSERT INTO push_events (account_id, mode, msg_type, event, raw_xml, message_xml, fields, outcome)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, 'accepted') RETURNING id`,
    e.accountId,
    e.mode,
    e.msgType,
    e.event,
    e.rawXml,
    e.messageXml,
    JSON.stringify(e.fields),
  );
  const eventId = ev!.id;
  if (!e.publish) return { eventId, publishJobId: null, duplicate: false, pending: false };
  const p = e.publish;
  const created = await tx.$queryRawUnsafe<{ id: bigint }[]>(
    `INSERT INTO publish_jobs (account_id, publish_id, publish_status, article_id, fail_idx, event_id)
     VALUES ($1, $2, $3, $4, $5::int[], $6)
     ON CONFLICT (account_id, publish_id, publish_status) DO NOTHING RETURNING id`,
    e.accountId,
    p.publishId,
    p.publishStatus,
    p.articleId,
    p.failIdx,
    eventId,
  );
  let jobId: bigint;
  let duplicate = false;
  let pending = true;
  if (created[0]) jobId = created[0].id;
  else {
    const [existing] = await tx.$queryRawUnsafe<{ id: bigint; state: string }[]>(
      `SELECT id, state FROM publish_jobs WHERE account_id = $1 AND publish_id = $2 AND publish_status = $3`,
      e.accountId,
      p.publishId,
      p.publishStatus,
    );
    jobId = existing!.id;
    duplicate = true;
    pending = existing!.state === "pending";
  }
  await tx.$executeRawUnsafe(`UPDATE push_events SET publish_job_id = $2, outcome = $3 WHERE id = $1`, eventId, jobId, duplicate ? "duplicate" : "accepted");
  return { eventId, publishJobId: jobId, duplicate, pending };
}

export interface PublishJobRow {
  id: bigint;
  accountId: number;
  appId: string;
  publishId: string;
  publishStatus: number;
  articleId: string | null;
  failIdx: number[];
  state: string;
  outcome: string | null;
  detail: string | null;
  receivedAt: Date;
  processedAt: Date | null;
  runId: bigint | null;
}

const JOB_COLUMNS = `j.id, j.account_id AS "accountId", a.app_id AS "appId", j.publish_id AS "publishId", j.publish_status AS "publishStatus",
  j.article_id AS "articleId", j.fail_idx AS "failIdx", j.state, j.outcome, j.detail, j.received_at AS "receivedAt", j.processed_at AS "processedAt", j.run_id AS "runId"`;

export async function selectPublishJob(tx: Tx, id: bigint): Promise<PublishJobRow | null> {
  const rows = await tx.$queryRawUnsafe<PublishJobRow[]>(`SELECT ${JOB_COLUMNS} FROM publish_jobs j JOIN accounts a ON a.id = j.account_id WHERE j.id = $1`, id);
  return rows[0] ? { ...rows[0], failIdx: rows[0].failIdx ?? [] } : null;
}

export async function selectPublishJobs(tx: Tx, appId: string, limit: number): Promise<PublishJobRow[]> {
  const rows = await tx.$queryRawUnsafe<PublishJobRow[]>(
    `SELECT ${JOB_COLUMNS} FROM publish_jobs j JOIN accounts a ON a.id = j.account_id WHERE a.app_id = $1 ORDER BY j.id DESC LIMIT $2`,
    appId,
    limit,
  );
  return rows.map((r) => ({ ...r, failIdx: r.failIdx ?? [] }));
}

export async function finishPublishJob(tx: Tx, id: bigint, end: { state: "done" | "failed"; outcome: string; detail: string | null; runId: bigint | null }): Promise<void> {
  await tx.$executeRawUnsafe(
    `UPDATE publish_jobs SET state = $2, outcome = $3, detail = $4, run_id = COALESCE($5, run_id), processed_at = now() WHERE id = $1`,
    id,
    end.state,
    end.outcome,
    end.detail,
    end.runId,
  );
}

export interface PushStateRow {
  appId: string;
  lastEventAt: Date | null;
  lastEvent: string | null;
  /** the newest publish job that failed, or a status 2-4 (a failed publish) */
  lastErrorAt: Date | null;
  lastError: string | null;
  events: number;
}

/** Per account: the newest push, and the newest processing failure or failed publish. */
export async function selectPushStates(tx: Tx, appIds: string[]): Promise<PushStateRow[]> {
  return tx.$queryRawUnsafe<PushStateRow[]>(
    `SELECT a.app_id AS "appId", e.received_at AS "lastEventAt", e.event AS "lastEvent",
            f.at AS "lastErrorAt", f.msg AS "lastError", COALESCE(n.events, 0)::int AS events
       FROM accounts a
       LEFT JOIN LATERAL (SELECT received_at, COALESCE(event, msg_type) AS event FROM push_events WHERE account_id = a.id ORDER BY id DESC LIMIT 1) e ON true
       LEFT JOIN LATERAL (SELECT count(*) AS events FROM push_events WHERE account_id = a.id) n ON true
       LEFT JOIN LATERAL (
         SELECT COALESCE(processed_at, received_at) AS at,
                CASE WHEN state = 'failed' THEN 'publish ' || publish_id || ': ' || COALESCE(detail, 'processing failed')
                     ELSE 'publish ' || publish_id || ' status ' || publish_status || ' (' || outcome || ')' END AS msg
           FROM publish_jobs WHERE account_id = a.id AND (state = 'failed' OR publish_status IN (2, 3, 4))
          ORDER BY id DESC LIMIT 1) f ON true
      WHERE a.app_id = ANY($1::text[])`,
    appIds,
  );
}
