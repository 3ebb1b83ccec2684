// Permanent materials as the read API needs them: a keyset page, news materials with their items.
import { Prisma } from "../generated/prisma/client.ts";
import type { PrismaClient } from "../prisma.ts";
import { listConditions, orderBy, pageOf, type ListFilter } from "./keyset.ts";
import type { MaterialRow as StoredMaterial } from "../rows.ts";
import { itemsOf, newsItemsOf, type NewsItemRecord } from "./news-items.ts";

export interface MaterialRecord extends Omit<StoredMaterial, "contentHash" | "newsItems" | "removedChars"> {
  id: bigint;
  appId: string;
  deletedAt: Date | null;
  /** news materials only; null for the other types */
  newsItems: NewsItemRecord[] | null;
}

export interface MaterialFilter extends ListFilter {
  type?: string;
}

interface MaterialRow {
  id: bigint;
  account_id: number;
  app_id: string;
  media_id: string;
  type: string;
  name: string | null;
  url: string | null;
  create_time: Date | null;
  update_time: Date | null;
  is_deleted: boolean;
  deleted_at: Date | null;
}

export async function listMaterials(prisma: PrismaClient, f: MaterialFilter): Promise<{ rows: MaterialRecord[]; more: boolean }> {
  const where = listConditions("m", f);
  if (f.type) where.push(Prisma.sql`m.type = ${f.type}`);
  const rows = await prisma.$queryRaw<MaterialRow[]>`
    SELECT m.id, m.account_id, acc.app_id, m.media_id, m.type, m.name, m.url, m.create_time, m.update_time, m.is_deleted, m.deleted_at
      FROM materials m JOIN accounts acc ON acc.id = m.account_id
     WHERE ${Prisma.join(where, " AND ")} ${orderBy("m")} LIMIT ${f.limit + 1}`;
  const page = pageOf(rows, f.limit);
  const news = await newsItemsOf(
    prisma,
    "material",
    page.rows.filter((m) => m.type === "news").map((m) => ({ accountId: m.account_id, key: m.media_id })),
    { includeDeleted: f.includeDeleted },
  );
  return {
    rows: page.rows.map((m) => ({
      id: m.id,
      appId: m.app_id,
      mediaId: m.media_id,
      type: m.type,
      name: m.name,
      url: m.url,
      createTime: m.create_time,
      updateTime: m.update_time,
      isDeleted: m.is_deleted,
      deletedAt: m.deleted_at,
      newsItems: m.type === "news" ? itemsOf(news, m.account_id, m.media_id) : null,
    })),
    more: page.more,
  };
}
