// GET /v1/feeds/<app_id>.atom | .rss | .json: an account's latest live articles as a feed,
// with a strong ETag (of the body) and Last-Modified (the account's last article change);
// If-None-Match / If-Modified-Since answer 304.
import { createHash } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { FEED_FORMATS, renderFeed, type FeedFormat } from "../../feeds/render.ts";
import type { ServerDeps } from "../deps.ts";
import { NotFoundError } from "../errors.ts";
import { displayFields } from "../../media/display-fields.ts";
import { mediaConfigOf } from "../../media/service.ts";

/** Articles a feed shows (each with its live news items). */
const FEED_ARTICLES = 30;

export function feedRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get("/v1/feeds/:file", async (req, reply) => {
    const file = (req.params as { file: string }).file;
    const m = /^([A-Za-z0-9_-]{1,64})\.(atom|rss|json)$/.exec(file);
    if (!m) throw new NotFoundError(`feed ${file.slice(0, 80)} (use <app_id>.atom, .rss or .json)`);
    const [, appId, format] = m as unknown as [string, string, FeedFormat];
    const records = await deps.reads.feedItems(appId, FEED_ARTICLES);
    if (!records.known) throw new NotFoundError(`feed of account ${appId}`);
    const origin = `${req.protocol}://${req.host}`;
    const selfBase = `${origin}/v1/feeds/${appId}`;
    // feed readers fetch images from elsewhere: display HTML with absolute mirror URLs
    const media = mediaConfigOf(deps.config);
    const fields = await displayFields(deps.reads, { ...media, publicBaseUrl: media.publicBaseUrl ?? `${origin}/media` }, { urls: [], contents: records.items.map((it) => it.content) });
    const shown = { ...records, items: records.items.map((it) => ({ ...it, content: fields.contentHtml(it.content) })) };
    const body = renderFeed(format, { appId, records: shown, selfBase });
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 32)}"`;
    // HTTP dates have second precision
    const lastModified = new Date(Math.floor((records.lastModified ?? new Date(0)).getTime() / 1000) * 1000);
    reply
      .header("etag", etag)
      .header("last-modified", lastModified.toUTCString())
      .header("cache-control", deps.config.http.readApiPublic === false ? "private, max-age=60" : "public, max-age=60");
    const inm = req.headers["if-none-match"];
    const ims = req.headers["if-modified-since"];
    const notModified =
      inm !== undefined ? inm.split(",").some((t) => t.trim().replace(/^W\//, "") === etag || t.trim() === "*") : ims !== undefined && Date.parse(ims) >= lastModified.getTime();
    if (notModified) return reply.code(304).send();
    return reply.type(FEED_FORMATS[format]).send(body);
  });
}
