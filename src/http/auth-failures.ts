// Failed authentication per client: wrong bearer tokens on /admin/* and /v1/* and failed
// console logins, counted in Redis (shared by every replica) in a fixed one-minute window.
// A client over the limit gets 429 with Retry-After for every authenticated request until
// the window ends, even with the right token (else guessing would go on unhindered). Only
// failures count, only that client waits, and each client is one key that expires with its
// window: an attack costs at most one short-lived key per address.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Redis } from "ioredis";
import { isIPv6 } from "node:net";

const WINDOW_MS = 60_000;

export interface AuthFailures {
  /** ms until this client may try again (0: not limited) */
  retryAfterMs(req: FastifyRequest): Promise<number>;
  /** counts one failure of this client */
  record(req: FastifyRequest): Promise<void>;
}

const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

/** Retry-After of a limited client (whole seconds, at least 1). */
export function withRetryAfter(reply: FastifyReply, retryAfterMs: number): FastifyReply {
  return reply.header("retry-after", String(seconds(retryAfterMs)));
}

/** The 429 of a limited client, in the documented error shape. */
export function sendRateLimited(reply: FastifyReply, retryAfterMs: number): FastifyReply {
  return withRetryAfter(reply, retryAfterMs)
    .code(429)
    .send({ error: "rate_limited", message: `too many failed authentication attempts from this address; retry in ${seconds(retryAfterMs)} s` });
}

/**
 * The rate-limit key of an address: an IPv4 address itself, an IPv6 address by its /64 (one
 * host usually holds a whole /64, so it could otherwise pick a new key per request).
 */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = "", tail = ""] = ip.toLowerCase().split("%")[0]!.split("::");
  const left = head ? head.split(":") : [];
  const right = ip.includes("::") ? (tail ? tail.split(":") : []) : [];
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}

/**
 * The counter in Redis. Without Redis (an outage, a command timeout) nothing is limited and
 * `unavailable` hears why: the read API and the admin token keep working through an outage,
 * and guessing a 16+ character token in that while is hopeless anyway.
 */
export function authFailures(redis: Redis, prefix: string, perMinute: number, unavailable: (err: unknown) => void): AuthFailures {
  const key = (req: FastifyRequest): string => `${prefix}:http:auth-failures:${clientKey(req.ip)}`;
  return {
    async retryAfterMs(req) {
      const k = key(req);
      try {
        const [[, count], [, ttl]] = (await redis.multi().get(k).pttl(k).exec()) as [[unknown, string | null], [unknown, number]];
        if (Number(count ?? 0) < perMinute) return 0;
        return ttl > 0 ? ttl : WINDOW_MS;
      } catch (err) {
        unavailable(err);
        return 0;
      }
    },
    async record(req) {
      const k = key(req);
      // the window starts with the first failure; INCR keeps the key's expiry
      await redis.multi().set(k, "0", "PX", WINDOW_MS, "NX").incr(k).exec().catch(unavailable);
    },
  };
}

/** The token-protected area of a request (by the route it matched, so an encoded path such as /%61dmin/ counts too), or null. */
export function tokenArea(req: FastifyRequest): "admin" | "v1" | null {
  const route = req.routeOptions.url ?? "";
  return route.startsWith("/admin/") ? "admin" : route.startsWith("/v1/") ? "v1" : null;
}

/**
 * onRequest hook of the token-protected areas (/admin/*, /v1/*): a request that presents a
 * bearer token is refused while its client is limited, and counts as a failure when the
 * token is not one `accepted` knows. Requests without Authorization are not counted (an
 * expired console session polling bull-board guessed nothing).
 */
export function bearerFailureGuard(failures: AuthFailures, accepted: (req: FastifyRequest) => boolean) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (req.headers.authorization === undefined || tokenArea(req) === null) return;
    const wait = await failures.retryAfterMs(req);
    if (wait > 0) {
      await sendRateLimited(reply, wait);
      return;
    }
    if (!accepted(req)) await failures.record(req);
  };
}
