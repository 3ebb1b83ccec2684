-- AlterTable
ALTER TABLE "sync_runs" ADD COLUMN     "paused_reason" TEXT,
ADD COLUMN     "resume_at" TIMESTAMPTZ(3);
