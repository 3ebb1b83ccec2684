// Mirrored media at /media/<key>: the object store's bytes with their Content-Type, a
// strong ETag (the sha256 in the key) and immutable long-lived caching. Used when no
// MEDIA_PUBLIC_BASE_URL (a CDN in front of the bucket) serves them. Single byte ranges are
// answered 206 (416 beyond the end), so browsers can seek in audio and video.
import type { FastifyInstance } from "fastify";
import { mediaConfigOf } from "../../media/service.ts";
import { parseRange } from "../../media/byte-range.ts";
import { hashOfKey, isStorageKey } from "../../media/keys.ts";
import { createObjectStore } from "../../media/storage/index.ts";
import { IMMUTABLE_CACHE_CONTROL } from "../../media/storage/s3-store.ts";
import { NotFoundError } from "../errors.ts";
import type { ServerDeps } from "../deps.ts";

export function mediaRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const config = mediaConfigOf(deps.config);
  const objects = createObjectStore(config.store, { s3ForcePathStyle: config.s3ForcePathStyle });
  app.addHook("onClose", async () => objects.close());
  app.get("/media/*", async (req, reply) => {
    const key = (req.params as { "*": string })["*"];
    if (!isStorageKey(key)) throw new NotFoundError(`media ${key.slice(0, 100)}`);
    const etag = `"${hashOfKey(key)}"`;
    reply.header("etag", etag).header("cache-control", IMMUTABLE_CACHE_CONTROL).header("x-content-type-options", "nosniff");
    // an SVG opened directly must not run scripts in this origin
    reply.header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'");
    const inm = req.headers["if-none-match"];
    if (inm && inm.split(",").some((t) => t.trim() === etag || t.trim() === `W/${etag}`)) return reply.code(304).send();
    reply.header("accept-ranges", "bytes");
    // a range is served only of the object the client has (If-Range names its ETag, or is absent)
    const ifRange = req.headers["if-range"];
    const range = ifRange === undefined || ifRange === etag ? parseRange(req.headers.range) : null;
    const obj = await objects.get(key, range ?? undefined);
    if (!obj) throw new NotFoundError(`media ${key}`);
    reply.header("content-type", obj.contentType);
    if (obj.range === "unsatisfiable") {
      obj.body.destroy();
      return reply.code(416).header("content-range", `bytes */${obj.size}`).send();
    }
    if (obj.range) {
      reply.code(206).header("content-range", `bytes ${obj.range.start}-${obj.range.end}/${obj.size}`).header("content-length", obj.range.end - obj.range.start + 1);
      return reply.send(obj.body);
    }
    if (obj.size > 0) reply.header("content-length", obj.size);
    return reply.send(obj.body);
  });
}
