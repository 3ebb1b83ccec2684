-- AlterTable
ALTER TABLE "sync_runs" ADD COLUMN     "job_id" TEXT,
ADD COLUMN     "verification_reads" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "walk_run_id" BIGINT;

-- CreateIndex
CREATE INDEX "sync_runs_job_id_idx" ON "sync_runs"("job_id");

-- CreateIndex
CREATE INDEX "sync_runs_walk_run_id_idx" ON "sync_runs"("walk_run_id");
