// Who may read what through /v1. Public by default: live published articles, their HTML and
// the feeds. Materials (the library holds unpublished images, videos, voices), deleted
// content (include_deleted=true on lists, details and search, a deleted article; the deleted
// news items of live articles are left out without it), material news in /v1/search and
// /v1/changes need a bearer token:
// READ_API_TOKEN or ADMIN_TOKEN; with neither set they are disabled. READ_API_PUBLIC=false
// makes every /v1 route need the token.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppConfig } from "../config/config.ts";
import { bearerMatches } from "./auth.ts";

/** Routes that always need a token. */
const PROTECTED_ROUTES = new Set(["/v1/materials", "/v1/changes"]);

export interface ReadAccess {
  /** the request carries a valid reader (or admin) token */
  authorized(req: FastifyRequest): boolean;
  /** onRequest hook of the /v1 routes */
  hook(req: FastifyRequest, reply: FastifyReply): Promise<void>;
}

const wantsDeleted = (req: FastifyRequest): boolean => {
  const v = (req.query as Record<string, unknown> | undefined)?.include_deleted;
  return v === "true" || v === "1";
};

/** /v1/search of material news (source=material or all) is material content. */
const wantsMaterial = (req: FastifyRequest): boolean => {
  const v = (req.query as Record<string, unknown> | undefined)?.source;
  return v === "material" || v === "all";
};

export function readAccess(http: AppConfig["http"]): ReadAccess {
  const tokens = [http.readApiToken, http.adminToken].filter((t): t is string => t !== undefined);
  const isPublic = http.readApiPublic !== false;
  // every token is compared, so timing says nothing about which one (or none) matched
  const authorized = (req: FastifyRequest): boolean => tokens.map((t) => bearerMatches(req.headers.authorization, t)).includes(true);
  return {
    authorized,
    async hook(req, reply) {
      const route = req.routeOptions.url;
      if (!route?.startsWith("/v1/")) return;
      const needsToken =
        !isPublic ||
        PROTECTED_ROUTES.has(route) ||
        ((route === "/v1/articles" || route === "/v1/articles/:article_id" || route === "/v1/search") && wantsDeleted(req)) ||
        (route === "/v1/search" && wantsMaterial(req));
      if (!needsToken) return;
      if (tokens.length === 0) {
        await reply.code(403).send({ error: "forbidden", message: "this part of the read API is disabled: set READ_API_TOKEN to enable it for token holders" });
      } else if (!authorized(req)) {
        await reply.code(401).header("www-authenticate", 'Bearer realm="mpsync read API"').send({ error: "unauthorized", message: "a valid Authorization: Bearer token is required" });
      }
    },
  };
}
