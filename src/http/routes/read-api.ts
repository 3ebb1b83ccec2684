// Read API for websites: articles and materials, validated inputs, keyset pagination.
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { MATERIAL_TYPES } from "../../wechat/types.ts";
import { decodeCursor, nextCursor } from "../cursor.ts";
import { InvalidParameterError, NotFoundError } from "../errors.ts";
import { articleOut, materialOut } from "../read-output.ts";
import type { ServerDeps } from "../deps.ts";
import { parseInput } from "../validate.ts";
import { displayFields } from "../../media/display-fields.ts";
import { mediaConfigOf } from "../../media/service.ts";
import type { ReadAccess } from "../read-access.ts";

/** The page size when the client names none. */
const DEFAULT_LIMIT = 20;

export const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
export const common = {
  account: z.string().min(1).max(64).optional(),
  // a date (midnight UTC) or a date-time with offset
  updated_since: z
    .union([z.iso.date().transform((s) => `${s}T00:00:00Z`), z.iso.datetime({ offset: true })], { error: "expected a date (2024-05-01) or an ISO date-time with offset (2024-05-01T08:00:00+08:00)" })
    .transform((s) => new Date(s))
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(DEFAULT_LIMIT),
  include_deleted: bool.default(false),
  cursor: z.string().min(1).max(512).optional(),
};
const articlesQuery = z.object({ ...common, q: z.string().min(1).max(100).optional() }).strict();
const materialsQuery = z.object({ ...common, type: z.enum(MATERIAL_TYPES).optional() }).strict();
const articleParams = z.object({ article_id: z.string().min(1).max(128) });
const articleQuery = z.object({ account: common.account, include_deleted: common.include_deleted }).strict();

export function readApiRoutes(app: FastifyInstance, deps: ServerDeps, access?: ReadAccess): void {
  const media = mediaConfigOf(deps.config);
  /** accounts.id of the `account` filter; an app_id nothing was synced for is a 400 */
  const accountId = async (appId: string | undefined): Promise<number | undefined> => {
    if (appId === undefined) return undefined;
    const id = await deps.reads.accountIdOf(appId);
    if (id === null) throw new InvalidParameterError("account", `no synced account has app_id ${appId}`);
    return id;
  };
  const listFilter = async (q: z.infer<z.ZodObject<typeof common>>) => ({
    accountId: await accountId(q.account),
    updatedSince: q.updated_since,
    limit: q.limit,
    includeDeleted: q.include_deleted,
    after: q.cursor ? decodeCursor(q.cursor) : undefined,
  });

  app.get("/v1/articles", async (req) => {
    const q = parseInput(articlesQuery, req.query);
    const page = await deps.reads.listArticles({ ...(await listFilter(q)), q: q.q });
    const fields = await displayFields(deps.reads, media, { urls: page.rows.flatMap((a) => a.newsItems.map((n) => n.thumbUrl)) });
    return { data: page.rows.map((a) => articleOut(a, false, fields)), next_cursor: nextCursor(page) };
  });
  app.get("/v1/articles/:article_id", async (req) => {
    const { article_id } = parseInput(articleParams, req.params, "article_id");
    const q = parseInput(articleQuery, req.query);
    const authorized = access?.authorized(req) ?? false;
    const found = await deps.reads.getArticle(article_id, { accountId: await accountId(q.account), includeDeletedItems: authorized });
    // a deleted article is deleted content: only token holders see it (read-access.ts)
    if (!found || (found.isDeleted && !authorized)) throw new NotFoundError(`article ${article_id}`);
    // so are the deleted news items of a live article: shown with include_deleted (which needs the token)
    const article = found.isDeleted || q.include_deleted ? found : { ...found, newsItems: found.newsItems.filter((n) => !n.isDeleted) };
    const fields = await displayFields(deps.reads, media, { urls: article.newsItems.map((n) => n.thumbUrl), contents: article.newsItems.map((n) => n.content) });
    return articleOut(article, true, fields);
  });
  app.get("/v1/materials", async (req) => {
    const q = parseInput(materialsQuery, req.query);
    const page = await deps.reads.listMaterials({ ...(await listFilter(q)), type: q.type });
    const fields = await displayFields(deps.reads, media, { urls: page.rows.flatMap((m) => [m.url, ...(m.newsItems ?? []).map((n) => n.thumbUrl)]) });
    return { data: page.rows.map((m) => materialOut(m, fields)), next_cursor: nextCursor(page) };
  });
}
