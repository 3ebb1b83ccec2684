// Read API for websites: articles and materials, validated inputs, keyset pagination.
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { getArticle, listArticles } from "../queries/articles.ts";
import { listMaterials } from "../queries/materials.ts";
import type { ServerDeps } from "../server.ts";
import { parseInput } from "../validate.ts";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const common = {
  account: z.string().min(1).max(64).optional(),
  updated_since: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  include_deleted: bool.default(false),
  cursor: z.string().min(1).max(512).optional(),
};
const articlesQuery = z.object({ ...common, q: z.string().min(1).max(100).optional() }).strict();
const materialsQuery = z.object({ ...common, type: z.enum(["image", "video", "voice", "news"]).optional() }).strict();
const articleParams = z.object({ article_id: z.string().min(1).max(128) });
const articleQuery = z.object({ account: common.account }).strict();

export function readApiRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get("/v1/articles", async (req) => {
    const q = parseInput(articlesQuery, req.query);
    return listArticles(deps.prisma, { account: q.account, updatedSince: q.updated_since, limit: q.limit, includeDeleted: q.include_deleted, q: q.q, cursor: q.cursor });
  });
  app.get("/v1/articles/:article_id", async (req) => {
    const { article_id } = parseInput(articleParams, req.params, "article_id");
    const q = parseInput(articleQuery, req.query);
    return getArticle(deps.prisma, article_id, q.account);
  });
  app.get("/v1/materials", async (req) => {
    const q = parseInput(materialsQuery, req.query);
    return listMaterials(deps.prisma, { account: q.account, type: q.type, updatedSince: q.updated_since, limit: q.limit, includeDeleted: q.include_deleted, cursor: q.cursor });
  });
}
