-- NUL characters and lone surrogates a run removed from the text it wrote (src/sync/storable-text.ts)
-- AlterTable
ALTER TABLE "sync_runs" ADD COLUMN "removed_chars" INTEGER NOT NULL DEFAULT 0;
