// Permanent materials for the read API, keyset-paginated, news materials with their items.
import { Prisma } from "../../store/generated/prisma/client.ts";
import type { PrismaClient } from "../../store/prisma.ts";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import { accountIdOf, appIdsById } from "./accounts.ts";
import { afterCursor, cursorOf, orderBy } from "./keyset.ts";
import { iso } from "../../status/runs.ts";

export interface MaterialListQuery {
  account?: string;
  type?: string;
  updatedSince?: Date;
  limit: number;
  includeDeleted: boolean;
  cursor?: string;
}

interface MaterialRow {
  id: bigint;
  account_id: number;
  media_id: string;
  type: string;
  name: string | null;
  url: string | null;
  create_time: Date | null;
  update_time: Date | null;
  is_deleted: boolean;
  deleted_at: Date | null;
}

export async function listMaterials(prisma: PrismaClient, query: MaterialListQuery) {
  const accountId = await accountIdOf(prisma, query.account);
  const where: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (accountId !== undefined) where.push(Prisma.sql`m.account_id = ${accountId}`);
  if (query.type) where.push(Prisma.sql`m.type = ${query.type}`);
  if (!query.includeDeleted) where.push(Prisma.sql`NOT m.is_deleted`);
  if (query.updatedSince) {
    where.push(
      query.includeDeleted
        ? Prisma.sql`(m.update_time >= ${query.updatedSince} OR m.deleted_at >= ${query.updatedSince})`
        : Prisma.sql`m.update_time >= ${query.updatedSince}`,
    );
  }
  if (query.cursor) where.push(afterCursor("m", decodeCursor(query.cursor)));
  const rows = await prisma.$queryRaw<MaterialRow[]>`
    SELECT m.id, m.account_id, m.media_id, m.type, m.name, m.url, m.create_time, m.update_time, m.is_deleted, m.deleted_at
      FROM materials m WHERE ${Prisma.join(where, " AND ")} ${orderBy("m")} LIMIT ${query.limit + 1}`;
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const newsKeys = page.filter((m) => m.type === "news");
  const items = newsKeys.length
    ? await prisma.materialNewsItem.findMany({
        where: { accountId: { in: [...new Set(newsKeys.map((m) => m.account_id))] }, mediaId: { in: newsKeys.map((m) => m.media_id) } },
        orderBy: [{ mediaId: "asc" }, { idx: "asc" }],
      })
    : [];
  const appIds = await appIdsById(prisma);
  return {
    data: page.map((m) => ({
      media_id: m.media_id,
      account: appIds.get(m.account_id) ?? "",
      type: m.type,
      name: m.name,
      url: m.url,
      create_time: iso(m.create_time),
      update_time: iso(m.update_time),
      is_deleted: m.is_deleted,
      deleted_at: iso(m.deleted_at),
      ...(m.type === "news"
        ? {
            news_items: items
              .filter((n) => n.accountId === m.account_id && n.mediaId === m.media_id)
              .map((n) => ({ idx: n.idx, title: n.title, author: n.author, digest: n.digest, url: n.url, thumb_url: n.thumbUrl, thumb_media_id: n.thumbMediaId, is_deleted: n.isDeleted })),
          }
        : {}),
    })),
    next_cursor: rows.length > query.limit && last ? encodeCursor(cursorOf(last)) : null,
  };
}
