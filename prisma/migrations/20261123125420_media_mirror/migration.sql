-- AlterTable
ALTER TABLE "material_news_items" ADD COLUMN     "content_html" TEXT,
ADD COLUMN     "media_render_key" TEXT,
ADD COLUMN     "media_scan_hash" TEXT,
ADD COLUMN     "thumb_mirror_url" TEXT;

-- AlterTable
ALTER TABLE "materials" ADD COLUMN     "media_render_key" TEXT,
ADD COLUMN     "media_scan_hash" TEXT,
ADD COLUMN     "mirror_url" TEXT;

-- AlterTable
ALTER TABLE "published_news_items" ADD COLUMN     "content_html" TEXT,
ADD COLUMN     "media_render_key" TEXT,
ADD COLUMN     "media_scan_hash" TEXT,
ADD COLUMN     "thumb_mirror_url" TEXT;

-- CreateTable
CREATE TABLE "media_assets" (
    "id" BIGSERIAL NOT NULL,
    "source_url" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "content_type" TEXT,
    "bytes" INTEGER,
    "content_hash" TEXT,
    "storage_key" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_attempt_at" TIMESTAMPTZ(3),
    "stored_at" TIMESTAMPTZ(3),
    "next_attempt_at" TIMESTAMPTZ(3),
    "lease_until" TIMESTAMPTZ(3),

    CONSTRAINT "media_assets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "media_links" (
    "asset_id" BIGINT NOT NULL,
    "account_id" INTEGER NOT NULL,
    "owner_kind" TEXT NOT NULL,
    "owner_key" TEXT NOT NULL,
    "idx" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "media_links_pkey" PRIMARY KEY ("owner_kind","account_id","owner_key","idx","role","asset_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "media_assets_source_url_key" ON "media_assets"("source_url");

-- CreateIndex
CREATE INDEX "media_assets_state_next_attempt_at_idx" ON "media_assets"("state", "next_attempt_at");

-- CreateIndex
CREATE INDEX "media_assets_content_hash_idx" ON "media_assets"("content_hash");

-- CreateIndex
CREATE INDEX "media_links_asset_id_idx" ON "media_links"("asset_id");

-- CreateIndex
CREATE INDEX "media_links_account_id_asset_id_idx" ON "media_links"("account_id", "asset_id");

-- AddForeignKey
ALTER TABLE "media_links" ADD CONSTRAINT "media_links_asset_id_fkey" FOREIGN KEY ("asset_id") REFERENCES "media_assets"("id") ON DELETE CASCADE ON UPDATE CASCADE;
