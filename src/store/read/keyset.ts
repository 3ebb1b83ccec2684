// Keyset pagination over (update_time DESC NULLS LAST, id DESC), the order the tables'
// (account_id, update_time DESC, id DESC) indexes serve. Rows without update_time come last.
import { Prisma } from "../generated/prisma/client.ts";

/** Where a page ended: the last row's update_time and id. */
export interface KeysetPosition {
  updateTime: Date | null;
  id: bigint;
}

/** Rows strictly after `p` in that order (`t` is the table alias). */
export function afterPosition(t: string, p: KeysetPosition): Prisma.Sql {
  const ut = Prisma.raw(`${t}.update_time`);
  const id = Prisma.raw(`${t}.id`);
  if (p.updateTime === null) return Prisma.sql`(${ut} IS NULL AND ${id} < ${p.id})`;
  return Prisma.sql`(${ut} < ${p.updateTime} OR (${ut} = ${p.updateTime} AND ${id} < ${p.id}) OR ${ut} IS NULL)`;
}

export function orderBy(t: string): Prisma.Sql {
  return Prisma.raw(`ORDER BY ${t}.update_time DESC NULLS LAST, ${t}.id DESC`);
}

/** LIKE pattern matching `q` literally anywhere. */
export function containsPattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
}

/** The filters both lists share; `after` continues from a previous page. */
export interface ListFilter {
  accountId?: number;
  updatedSince?: Date;
  includeDeleted: boolean;
  after?: KeysetPosition;
  limit: number;
}

/** The WHERE terms of ListFilter on table alias `t`. */
export function listConditions(t: string, f: ListFilter): Prisma.Sql[] {
  const col = (c: string): Prisma.Sql => Prisma.raw(`${t}.${c}`);
  const where: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (f.accountId !== undefined) where.push(Prisma.sql`${col("account_id")} = ${f.accountId}`);
  if (!f.includeDeleted) where.push(Prisma.sql`NOT ${col("is_deleted")}`);
  if (f.updatedSince) {
    // with deleted rows included, a deletion after `updatedSince` counts as an update
    where.push(
      f.includeDeleted
        ? Prisma.sql`(${col("update_time")} >= ${f.updatedSince} OR ${col("deleted_at")} >= ${f.updatedSince})`
        : Prisma.sql`${col("update_time")} >= ${f.updatedSince}`,
    );
  }
  if (f.after) where.push(afterPosition(t, f.after));
  return where;
}

/** A page of at most `limit` rows out of the `limit + 1` read, and whether more follow. */
export function pageOf<T>(rows: T[], limit: number): { rows: T[]; more: boolean } {
  return { rows: rows.slice(0, limit), more: rows.length > limit };
}
