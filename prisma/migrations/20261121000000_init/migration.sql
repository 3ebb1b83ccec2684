-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "accounts" (
    "id" SERIAL NOT NULL,
    "app_id" TEXT NOT NULL,
    "name" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "throttled_until" TIMESTAMPTZ(3),
    "last_error_code" INTEGER,
    "last_error_at" TIMESTAMPTZ(3),
    "last_error_message" TEXT,

    CONSTRAINT "accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "published_articles" (
    "id" BIGSERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "article_id" TEXT NOT NULL,
    "create_time" TIMESTAMPTZ(3),
    "update_time" TIMESTAMPTZ(3),
    "is_deleted" BOOLEAN NOT NULL DEFAULT false,
    "deleted_at" TIMESTAMPTZ(3),
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "content_hash" TEXT,
    "seen_run_id" BIGINT,

    CONSTRAINT "published_articles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "published_news_items" (
    "id" BIGSERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "article_id" TEXT NOT NULL,
    "idx" INTEGER NOT NULL,
    "title" TEXT,
    "author" TEXT,
    "digest" TEXT,
    "content" TEXT,
    "content_source_url" TEXT,
    "thumb_media_id" TEXT,
    "thumb_url" TEXT,
    "show_cover_pic" INTEGER,
    "need_open_comment" INTEGER,
    "only_fans_can_comment" INTEGER,
    "url" TEXT,
    "is_deleted" BOOLEAN NOT NULL DEFAULT false,
    "deleted_at" TIMESTAMPTZ(3),
    "content_hash" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "published_news_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "materials" (
    "id" BIGSERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "media_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "name" TEXT,
    "url" TEXT,
    "create_time" TIMESTAMPTZ(3),
    "update_time" TIMESTAMPTZ(3),
    "is_deleted" BOOLEAN NOT NULL DEFAULT false,
    "deleted_at" TIMESTAMPTZ(3),
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "content_hash" TEXT,
    "seen_run_id" BIGINT,

    CONSTRAINT "materials_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "material_news_items" (
    "id" BIGSERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "media_id" TEXT NOT NULL,
    "idx" INTEGER NOT NULL,
    "title" TEXT,
    "author" TEXT,
    "digest" TEXT,
    "content" TEXT,
    "content_source_url" TEXT,
    "thumb_media_id" TEXT,
    "thumb_url" TEXT,
    "show_cover_pic" INTEGER,
    "need_open_comment" INTEGER,
    "only_fans_can_comment" INTEGER,
    "url" TEXT,
    "is_deleted" BOOLEAN NOT NULL DEFAULT false,
    "deleted_at" TIMESTAMPTZ(3),
    "content_hash" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "material_news_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sync_runs" (
    "id" BIGSERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "pages" INTEGER NOT NULL DEFAULT 0,
    "api_calls" INTEGER NOT NULL DEFAULT 0,
    "items_seen" INTEGER NOT NULL DEFAULT 0,
    "inserted" INTEGER NOT NULL DEFAULT 0,
    "updated" INTEGER NOT NULL DEFAULT 0,
    "unchanged" INTEGER NOT NULL DEFAULT 0,
    "marked_deleted" INTEGER NOT NULL DEFAULT 0,
    "error_code" INTEGER,
    "error_message" TEXT,
    "consistency_note" TEXT,
    "checkpoint" JSONB,
    "heartbeat_at" TIMESTAMPTZ(3),

    CONSTRAINT "sync_runs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "accounts_app_id_key" ON "accounts"("app_id");

-- CreateIndex
CREATE INDEX "published_articles_account_id_update_time_id_idx" ON "published_articles"("account_id", "update_time" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "published_articles_account_id_article_id_key" ON "published_articles"("account_id", "article_id");

-- CreateIndex
CREATE UNIQUE INDEX "published_news_items_account_id_article_id_idx_key" ON "published_news_items"("account_id", "article_id", "idx");

-- CreateIndex
CREATE INDEX "materials_account_id_type_update_time_id_idx" ON "materials"("account_id", "type", "update_time" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "materials_account_id_media_id_key" ON "materials"("account_id", "media_id");

-- CreateIndex
CREATE UNIQUE INDEX "material_news_items_account_id_media_id_idx_key" ON "material_news_items"("account_id", "media_id", "idx");

-- CreateIndex
CREATE INDEX "sync_runs_account_id_source_started_at_idx" ON "sync_runs"("account_id", "source", "started_at" DESC);

-- CreateIndex
CREATE INDEX "sync_runs_status_idx" ON "sync_runs"("status");

-- AddForeignKey
ALTER TABLE "published_articles" ADD CONSTRAINT "published_articles_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "published_news_items" ADD CONSTRAINT "published_news_items_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "materials" ADD CONSTRAINT "materials_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "material_news_items" ADD CONSTRAINT "material_news_items_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
