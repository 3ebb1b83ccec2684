// GET /v1/feeds/<app_id>.atom | .rss | .json: an account's latest live articles as a feed,
// with an ETag of the account's last change and Last-Modified; If-None-Match /
// If-Modified-Since answer 304 without rendering. Bodies are rendered once per change and
// shared (src/feeds/feed-service.ts); their URLs come from PUBLIC_URL, never the request.
import type { FastifyInstance } from "fastify";
import { DEFAULT_FEED_LIMITS } from "../../config/defaults.ts";
import { createFeedService } from "../../feeds/feed-service.ts";
import { FEED_FORMATS, type FeedFormat } from "../../feeds/render.ts";
import { mediaConfigOf } from "../../media/service.ts";
import type { ServerDeps } from "../deps.ts";
import { NotFoundError } from "../errors.ts";

export function feedRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const feeds = createFeedService({
    reads: deps.reads,
    media: mediaConfigOf(deps.config),
    publicUrl: deps.config.http.publicUrl,
    limits: deps.config.feeds ?? DEFAULT_FEED_LIMITS,
    onRender: (format) => deps.metrics.recordFeedRender(format),
  });
  app.get("/v1/feeds/:file", async (req, reply) => {
    const file = (req.params as { file: string }).file;
    const m = /^([A-Za-z0-9_-]{1,64})\.(atom|rss|json)$/.exec(file);
    if (!m) throw new NotFoundError(`feed ${file.slice(0, 80)} (use <app_id>.atom, .rss or .json)`);
    const [, appId, format] = m as unknown as [string, string, FeedFormat];
    const head = await feeds.head(appId, format);
    if (!head) throw new NotFoundError(`feed of account ${appId}`);
    reply
      .header("etag", head.etag)
      .header("last-modified", head.lastModified.toUTCString())
      .header("cache-control", deps.config.http.readApiPublic === false ? "private, max-age=60" : "public, max-age=60");
    const inm = req.headers["if-none-match"];
    const ims = req.headers["if-modified-since"];
    const notModified =
      inm !== undefined ? inm.split(",").some((t) => t.trim().replace(/^W\//, "") === head.etag || t.trim() === "*") : ims !== undefined && Date.parse(ims) >= head.lastModified.getTime();
    if (notModified) return reply.code(304).send();
    return reply.type(FEED_FORMATS[format]).send(await feeds.body(appId, format, head));
  });
}
