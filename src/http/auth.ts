// Bearer-token check of the admin routes: sha256 digests compared in constant time, so
// neither the token's content nor its length leaks through timing.
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

/** A presented token (login form) against the admin token, in constant time. */
export function tokenMatches(given: string, adminToken: string): boolean {
  return timingSafeEqual(digest(given), digest(adminToken));
}

export function bearerMatches(header: string | undefined, adminToken: string): boolean {
  const m = /^Bearer (.+)$/i.exec(header ?? "");
  // compare even when the header is missing, so both paths cost the same
  return timingSafeEqual(digest(m?.[1] ?? ""), digest(adminToken)) && m !== null;
}

export interface ConsoleAuth {
  /** the request carries a logged-in console session */
  session(req: FastifyRequest): boolean;
  /** a state-changing request came from a page of this origin */
  sameOrigin(req: FastifyRequest): boolean;
}

/**
 * onRequest hook answering 401 (without saying why beyond the header's absence or mismatch).
 * With the console, its session is accepted too (bull-board in a browser); a session's
 * state-changing request must come from this origin (bull-board's fetches carry no CSRF token).
 */
export function requireAdmin(adminToken: string, consoleAuth?: ConsoleAuth) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (consoleAuth?.session(req) && !bearerMatches(req.headers.authorization, adminToken)) {
      const safe = req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS";
      if (!safe && !consoleAuth.sameOrigin(req)) await reply.code(403).send({ error: "forbidden", message: "cross-origin request refused" });
      return;
    }
    if (!bearerMatches(req.headers.authorization, adminToken)) {
      await reply.code(401).header("www-authenticate", 'Bearer realm="mpsync admin"').send({ error: "unauthorized", message: "a valid Authorization: Bearer token is required" });
    }
  };
}
