-- CreateTable
CREATE TABLE "sync_seen_keys" (
    "walk_id" BIGINT NOT NULL,
    "item_key" TEXT NOT NULL,

    CONSTRAINT "sync_seen_keys_pkey" PRIMARY KEY ("walk_id","item_key")
);
