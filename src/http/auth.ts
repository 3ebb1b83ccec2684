// Bearer-token check of the admin routes: sha256 digests compared in constant time, so
// neither the token's content nor its length leaks through timing.
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

export function bearerMatches(header: string | undefined, adminToken: string): boolean {
  const m = /^Bearer (.+)$/i.exec(header ?? "");
  // compare even when the header is missing, so both paths cost the same
  return timingSafeEqual(digest(m?.[1] ?? ""), digest(adminToken)) && m !== null;
}

/** onRequest hook answering 401 (without saying why beyond the header's absence or mismatch). */
export function requireAdmin(adminToken: string) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!bearerMatches(req.headers.authorization, adminToken)) {
      await reply.code(401).header("www-authenticate", 'Bearer realm="mpsync admin"').send({ error: "unauthorized", message: "a valid Authorization: Bearer token is required" });
    }
  };
}
