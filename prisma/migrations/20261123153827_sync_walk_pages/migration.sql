-- Seen keys move to one row per committed batch (sync_walk_pages). A full walk in progress
-- restarts from offset 0: its checkpoint (v1) no longer parses (src/sync/checkpoint.ts), so it
-- can never finish without the seen keys this drops.
-- DropTable
DROP TABLE "sync_seen_keys";

-- CreateTable
CREATE TABLE "sync_walk_pages" (
    "account_id" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "walk_id" BIGINT NOT NULL,
    "run_id" BIGINT NOT NULL,
    "keys" TEXT[],
    "checkpoint" JSONB NOT NULL,
    "counters" JSONB NOT NULL,
    "written_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sync_walk_pages_pkey" PRIMARY KEY ("account_id","source","seq")
);

-- AddForeignKey
ALTER TABLE "sync_walk_pages" ADD CONSTRAINT "sync_walk_pages_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
