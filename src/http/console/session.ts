// The console's session: @fastify/session (signed session-id cookie, HttpOnly,
// SameSite=Strict, Secure on HTTPS) with its data in Redis, so every replica behind a load
// balancer knows it and logout ends it everywhere; @fastify/csrf-protection keeps its
// secret in that session; @fastify/rate-limit counts login attempts in Redis.
import { createHash } from "node:crypto";
import fastifyCookie from "@fastify/cookie";
import fastifyCsrf from "@fastify/csrf-protection";
import fastifyFormbody from "@fastify/formbody";
import fastifyRateLimit from "@fastify/rate-limit";
import fastifySession, { type SessionStore } from "@fastify/session";
import type { FastifyInstance, FastifyRequest, Session } from "fastify";
import type { Redis } from "ioredis";

declare module "fastify" {
  interface Session {
    /** set by a successful login */
    admin?: boolean;
    /** a one-time message for the next page (an action's outcome) */
    flash?: string;
  }
}

export const SESSION_COOKIE = "mpsync_session";
/** Absolute lifetime of a login (the cookie and the Redis entry). */
export const DEFAULT_SESSION_TTL_MS = 8 * 60 * 60 * 1000;

export interface ConsoleSessionOptions {
  redis: Redis;
  /** Redis key prefix (MPSYNC_REDIS_PREFIX) */
  prefix: string;
  adminToken: string;
  ttlMs?: number;
  /** login attempts per IP and minute */
  loginAttemptsPerMinute?: number;
}

/** Sessions in Redis, each expiring with its cookie (at most `ttlMs` from now). */
export function redisSessionStore(redis: Redis, prefix: string, ttlMs: number): SessionStore {
  const key = (id: string): string => `${prefix}:console:session:${id}`;
  return {
    set(id, session, cb) {
      const expires = (session as { cookie?: { expires?: Date | string | null } }).cookie?.expires;
      const left = expires ? new Date(expires).getTime() - Date.now() : ttlMs;
      redis.set(key(id), JSON.stringify(session), "PX", Math.max(1, Math.min(ttlMs, left))).then(() => cb(), cb);
    },
    get(id, cb) {
      redis.get(key(id)).then((v) => cb(null, v ? (JSON.parse(v) as Session) : null), cb);
    },
    destroy(id, cb) {
      redis.del(key(id)).then(() => cb(), cb);
    },
  };
}

export async function registerConsoleSession(app: FastifyInstance, o: ConsoleSessionOptions): Promise<void> {
  const ttlMs = o.ttlMs ?? DEFAULT_SESSION_TTL_MS;
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    cookieName: SESSION_COOKIE,
    // the cookie signing key, derived from ADMIN_TOKEN: shared by every replica without a
    // new setting, and changing the token logs everyone out
    secret: createHash("sha256").update(`mpsync console session\0${o.adminToken}`).digest("hex"),
    store: redisSessionStore(o.redis, o.prefix, ttlMs),
    saveUninitialized: false,
    rolling: false,
    // secure: set per request below (the plugin's "auto" would downgrade SameSite to Lax on http)
    cookie: { httpOnly: true, sameSite: "strict", secure: false, path: "/", maxAge: ttlMs },
  });
  app.addHook("onRequest", async (req) => secureOnHttps(req));
  await app.register(fastifyCsrf, { sessionPlugin: "@fastify/session" });
  await app.register(fastifyFormbody, { bodyLimit: 16 * 1024 });
  await app.register(fastifyRateLimit, {
    global: false,
    max: o.loginAttemptsPerMinute ?? 10,
    timeWindow: 60_000,
    redis: o.redis,
    nameSpace: `${o.prefix}:console:login-rate:`,
  });
}

/** The session cookie is Secure when the request came over HTTPS (directly, or through a trusted proxy: HTTP_TRUST_PROXY). */
export function secureOnHttps(req: FastifyRequest): void {
  if (req.protocol === "https" && (req as { session?: unknown }).session) req.session.cookie.secure = true;
}

/** The request carries a logged-in console session. */
export const hasConsoleSession = (req: FastifyRequest): boolean => (req as { session?: { get(k: "admin"): boolean | undefined } }).session?.get("admin") === true;

/** A state-changing request made by a page of this origin (bull-board's own fetches carry no CSRF token; SameSite=Strict and this check stand in). */
export function sameOrigin(req: FastifyRequest): boolean {
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined) return site === "same-origin";
  const origin = req.headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
