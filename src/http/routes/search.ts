// GET /v1/search: news items matching a query, best first (the store's mpsync_search).
// Material news and deleted content need the read token (read-access.ts decides before
// this handler runs); without `source`, token holders search both kinds of news item.
// With SEARCH_INDEX off it answers 409 search_disabled (errors.ts says why not 404).
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { iso } from "../../format/iso.ts";
import { UnsearchableQueryError, type SearchHit } from "../../store/read-store.ts";
import type { NewsItemTable } from "../../store/sql/news-item-tables.ts";
import type { ServerDeps } from "../deps.ts";
import { InvalidParameterError, SearchDisabledError } from "../errors.ts";
import { searchIndexOn } from "../../config/config.ts";
import type { ReadAccess } from "../read-access.ts";
import { decodeSearchCursor, encodeSearchCursor } from "../search-cursor.ts";
import { parseInput } from "../validate.ts";
import { bool, common } from "./read-api.ts";

const searchQuery = z
  .object({
    q: z.string().trim().min(1).max(200),
    account: common.account,
    source: z.enum(["published", "material", "all"]).optional(),
    limit: common.limit,
    include_deleted: bool.default(false),
    cursor: common.cursor,
  })
  .strict();

const SOURCES: Record<"published" | "material" | "all", NewsItemTable[]> = { published: ["published"], material: ["material"], all: ["published", "material"] };

export function searchHitOut(h: SearchHit) {
  return {
    source: h.source,
    ...(h.source === "published" ? { article_id: h.itemKey } : { media_id: h.itemKey }),
    account: h.appId,
    idx: h.idx,
    title: h.title,
    digest: h.digest,
    snippet: h.snippet,
    url: h.url,
    create_time: iso(h.createTime),
    update_time: iso(h.updateTime),
    is_deleted: h.isDeleted,
    rank: h.rank,
  };
}

export function searchRoutes(app: FastifyInstance, deps: ServerDeps, access: ReadAccess): void {
  app.get("/v1/search", async (req) => {
    // without SEARCH_INDEX the columns are NULL: an empty page would read as "no match"
    if (!searchIndexOn(deps.config)) throw new SearchDisabledError();
    const q = parseInput(searchQuery, req.query);
    if (q.account !== undefined && (await deps.reads.accountIdOf(q.account)) === null) throw new InvalidParameterError("account", `no synced account has app_id ${q.account}`);
    const source = q.source ?? (access.authorized(req) ? "all" : "published");
    try {
      const page = await deps.reads.search({
        q: q.q,
        appId: q.account,
        sources: SOURCES[source],
        includeDeleted: q.include_deleted,
        limit: q.limit,
        after: q.cursor ? decodeSearchCursor(q.cursor) : undefined,
      });
      const last = page.rows[page.rows.length - 1];
      return { data: page.rows.map(searchHitOut), next_cursor: page.more && last ? encodeSearchCursor(last) : null };
    } catch (e) {
      if (e instanceof UnsearchableQueryError) throw new InvalidParameterError("q", e.message);
      throw e;
    }
  });
}
