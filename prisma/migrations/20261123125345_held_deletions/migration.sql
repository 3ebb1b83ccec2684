-- AlterTable
ALTER TABLE "sync_runs" ADD COLUMN     "deletions_held" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "held_deletions" (
    "account_id" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    "item_key" TEXT NOT NULL,
    "run_id" BIGINT NOT NULL,
    "held_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "held_deletions_pkey" PRIMARY KEY ("account_id","source","item_key")
);

-- AddForeignKey
ALTER TABLE "held_deletions" ADD CONSTRAINT "held_deletions_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
