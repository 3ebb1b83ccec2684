-- CreateTable
CREATE TABLE "push_events" (
    "id" BIGSERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "mode" TEXT NOT NULL,
    "msg_type" TEXT,
    "event" TEXT,
    "raw_xml" TEXT NOT NULL,
    "message_xml" TEXT NOT NULL,
    "fields" JSONB NOT NULL,
    "outcome" TEXT NOT NULL,
    "publish_job_id" BIGINT,

    CONSTRAINT "push_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "publish_jobs" (
    "id" BIGSERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "publish_id" TEXT NOT NULL,
    "publish_status" INTEGER NOT NULL,
    "article_id" TEXT,
    "fail_idx" INTEGER[],
    "event_id" BIGINT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "outcome" TEXT,
    "detail" TEXT,
    "processed_at" TIMESTAMPTZ(3),
    "run_id" BIGINT,

    CONSTRAINT "publish_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "push_events_account_id_received_at_idx" ON "push_events"("account_id", "received_at" DESC);

-- CreateIndex
CREATE INDEX "publish_jobs_account_id_received_at_idx" ON "publish_jobs"("account_id", "received_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "publish_jobs_account_id_publish_id_publish_status_key" ON "publish_jobs"("account_id", "publish_id", "publish_status");

-- AddForeignKey
ALTER TABLE "push_events" ADD CONSTRAINT "push_events_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "publish_jobs" ADD CONSTRAINT "publish_jobs_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
