// The console's session: @fastify/session (signed session-id cookie, HttpOnly,
// SameSite=Strict, Secure on HTTPS) with its data in Redis, so every replica behind a load
// balancer knows it and logout ends it everywhere. Only a login is stored: an anonymous
// request (the login form, a wrong password, a 403/429) writes nothing to Redis, so a
// flood of them costs nothing. The CSRF secret lives in a signed cookie of its own
// (@fastify/csrf-protection's double-submit: the form's token must match it), so the login
// form needs no server-side state either.
import { createHash } from "node:crypto";
import fastifyCookie from "@fastify/cookie";
import fastifyCsrf from "@fastify/csrf-protection";
import fastifyFormbody from "@fastify/formbody";
import fastifySession, { type SessionStore } from "@fastify/session";
import type { FastifyInstance, FastifyRequest, Session } from "fastify";
import type { Redis } from "ioredis";
import { DEFAULT_CONSOLE_SESSION, HTTP_FORM_BODY_LIMIT_BYTES, type ConsoleSessionSettings } from "../../config/defaults.ts";

declare module "fastify" {
  interface Session {
    /** set by a successful login */
    admin?: boolean;
    /** when the login happened (ms since the epoch): the absolute lifetime counts from here */
    loginAt?: number;
    /** set by the login's request only: the one write that may create the Redis entry */
    justLoggedIn?: boolean;
    /** a one-time message for the next page (an action's outcome) */
    flash?: string;
  }
}

export const SESSION_COOKIE = "mpsync_session";
export const CSRF_COOKIE = "mpsync_csrf";

export interface ConsoleSessionOptions {
  redis: Redis;
  /** Redis key prefix (MPSYNC_REDIS_PREFIX) */
  prefix: string;
  adminToken: string;
  lifetimes?: ConsoleSessionSettings;
}

/** The Redis key of a session id. */
export const sessionKey = (prefix: string, id: string): string => `${prefix}:console:session:${id}`;

/**
 * Logins in Redis. Each write (every request of a login: rolling) sets the entry to expire
 * after the idle lifetime, never later than the absolute one; a session that is not a login
 * is never written. Only the login's own request creates the entry: any later write only
 * renews one that still exists (SET XX), so a request still in flight when the session
 * ended (logout, expiry) cannot bring it back.
 */
export function redisSessionStore(redis: Redis, prefix: string, lifetimes: ConsoleSessionSettings): SessionStore {
  return {
    set(id, session, cb) {
      const { justLoggedIn, ...data } = JSON.parse(JSON.stringify(session)) as Session;
      if (data.admin !== true || typeof data.loginAt !== "number") return cb();
      const left = Math.min(lifetimes.idleMs, data.loginAt + lifetimes.maxMs - Date.now());
      const key = sessionKey(prefix, id);
      const json = JSON.stringify(data);
      const write = left <= 0 ? redis.del(key) : justLoggedIn ? redis.set(key, json, "PX", left) : redis.set(key, json, "PX", left, "XX");
      write.then(() => cb(), cb);
    },
    get(id, cb) {
      redis.get(sessionKey(prefix, id)).then((v) => cb(null, v ? (JSON.parse(v) as Session) : null), cb);
    },
    destroy(id, cb) {
      redis.del(sessionKey(prefix, id)).then(() => cb(), cb);
    },
  };
}

export async function registerConsoleSession(app: FastifyInstance, o: ConsoleSessionOptions): Promise<void> {
  const lifetimes = o.lifetimes ?? DEFAULT_CONSOLE_SESSION;
  // the cookie signing key, derived from ADMIN_TOKEN: shared by every replica without a
  // new setting, and changing the token logs everyone out
  const secret = createHash("sha256").update(`mpsync console session\0${o.adminToken}`).digest("hex");
  await app.register(fastifyCookie, { secret });
  await app.register(fastifySession, {
    cookieName: SESSION_COOKIE,
    secret,
    store: redisSessionStore(o.redis, o.prefix, lifetimes),
    saveUninitialized: false,
    // every request of a login writes it again: the idle lifetime starts over
    rolling: true,
    // secure: set per request below (the plugin's "auto" would downgrade SameSite to Lax on http)
    cookie: { httpOnly: true, sameSite: "strict", secure: false, path: "/", maxAge: lifetimes.idleMs },
  });
  app.addHook("onRequest", async (req) => secureOnHttps(req));
  await app.register(fastifyCsrf, {
    sessionPlugin: "@fastify/cookie",
    cookieKey: CSRF_COOKIE,
    // a browser-session cookie; @fastify/cookie's "auto" makes it Secure on HTTPS
    cookieOpts: { signed: true, httpOnly: true, sameSite: "strict", path: "/", secure: "auto" },
  });
  await app.register(fastifyFormbody, { bodyLimit: HTTP_FORM_BODY_LIMIT_BYTES });
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
