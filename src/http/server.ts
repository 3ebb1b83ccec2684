// The HTTP server `mpsync worker` starts when HTTP_PORT is set: health, metrics, admin,
// read API. Errors map by class to status codes; bodies never carry secrets or stacks.
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from "fastify";
import { DEFAULT_AUTH_FAILURES_PER_MINUTE, HTTP_BODY_LIMIT_BYTES } from "../config/defaults.ts";
import type { TrustProxy } from "../config/trust-proxy.ts";
import { authFailures, bearerFailureGuard, tokenArea } from "./auth-failures.ts";
import { bearerMatches } from "./auth.ts";
import type { ServerDeps } from "./deps.ts";
import { errorAnswer } from "./errors.ts";
import { refuseNul } from "./validate.ts";
import { adminRoutes } from "./routes/admin.ts";
import { healthRoutes } from "./routes/health.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { readApiRoutes } from "./routes/read-api.ts";
import { searchRoutes } from "./routes/search.ts";
import { mediaRoutes } from "./routes/media.ts";
import { changesRoutes } from "./routes/changes.ts";
import { feedRoutes } from "./routes/feeds.ts";
import { accountPushIntake, wechatPushRoutes } from "./routes/wechat-push.ts";
import { readAccess } from "./read-access.ts";
import { consoleRoutes } from "./console/routes.ts";
import { consoleOffRoutes } from "./console/respond.ts";
import { hasConsoleSession, registerConsoleSession, sameOrigin } from "./console/session.ts";

/**
 * Fastify's trustProxy of HTTP_TRUST_PROXY. A hop count becomes "the n nearest hops" (this
 * Fastify ignores a bare number): right only when every request comes through those proxies.
 */
function trustProxyOption(tp: TrustProxy | undefined): string[] | ((addr: string, hop: number) => boolean) | false {
  if (tp === undefined) return false;
  if (typeof tp === "number") return (_addr, hop) => hop < tp;
  return tp;
}

/** Fastify's clientErrorHandler: its default behaviour with the documented error body. */
function refuseMalformedRequest(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === "ECONNRESET" || socket.destroyed) return;
  const [status, message] =
    err.code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? [408, "the request was not received in time"]
      : err.code === "HPE_HEADER_OVERFLOW"
        ? [431, "the request headers are too large"]
        : [400, "the request is not valid HTTP (a URL must be ASCII: percent-encode other characters)"];
  const body = JSON.stringify({ error: "bad_request", message });
  if (socket.writable) socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`);
  socket.destroy(err);
}

export async function buildHttpServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: "http" }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: HTTP_BODY_LIMIT_BYTES,
    trustProxy: trustProxyOption(deps.config.http.trustProxy),
    // the router's refusals (a path segment over maxParamLength, a malformed %-escape) in the documented shape
    frameworkErrors: (err, _req, reply) => (reply as FastifyReply).code(err.statusCode ?? 400).send({ error: "bad_request", message: err.code === "FST_ERR_MAX_PARAM_LENGTH" ? "a path segment is too long" : "the URL is not valid (percent-encode it)" }),
    // what Node's HTTP parser refuses (raw non-ASCII in the URL, malformed requests) too
    clientErrorHandler: refuseMalformedRequest,
  });
  app.setErrorHandler((err, req, reply) => {
    const answer = errorAnswer(err);
    if (answer.status >= 500) req.log.error({ err, url: req.routeOptions.url }, "request failed");
    return reply.code(answer.status).send(answer.body);
  });
  // Postgres text cannot hold NUL: refused by name before any route queries with it
  app.addHook("preValidation", refuseNul);
  // unknown routes answer in the documented error shape too
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: "not_found", message: `no route ${req.method} ${req.url.split("?")[0]}` }));
  healthRoutes(app, deps);
  metricsRoutes(app, deps);
  // who may read what (read-access.ts): decided per route before any handler runs
  const access = readAccess(deps.config.http);
  const adminToken = deps.config.http.adminToken;
  // wrong tokens are counted per client before any route looks at them
  let warnedAt = 0;
  const failures = authFailures(deps.redis, deps.config.redisPrefix, deps.config.http.authFailuresPerMinute ?? DEFAULT_AUTH_FAILURES_PER_MINUTE, (err) => {
    // once a minute at most: every authenticated request of an outage ends here
    if (Date.now() - warnedAt < 60_000) return;
    warnedAt = Date.now();
    app.log.warn({ err }, "failed authentication cannot be counted (Redis unavailable): not limited meanwhile");
  });
  app.addHook("onRequest", bearerFailureGuard(failures, (req) => (tokenArea(req) === "admin" ? adminToken !== undefined && bearerMatches(req.headers.authorization, adminToken) : access.authorized(req))));
  app.addHook("onRequest", access.hook);
  readApiRoutes(app, deps, access);
  searchRoutes(app, deps, access);
  changesRoutes(app, deps);
  feedRoutes(app, deps);
  mediaRoutes(app, deps);
  // WeChat's message push: signed (and encrypted) by the account's own server settings
  if (deps.pushes && deps.enqueuePush) wechatPushRoutes(app, deps, accountPushIntake(deps, deps.enqueuePush));
  if (adminToken) {
    // the operator console at / and its session, which the admin routes accept too
    await registerConsoleSession(app, { redis: deps.redis, prefix: deps.config.redisPrefix, adminToken, lifetimes: deps.config.http.consoleSession });
    consoleRoutes(app, deps, adminToken, failures);
    await adminRoutes(app, deps, adminToken, { session: hasConsoleSession, sameOrigin });
  } else {
    consoleOffRoutes(app);
  }
  return app;
}

/** Listens on config.http (port 0: any free port); resolves with the bound address. */
export async function startHttpServer(deps: ServerDeps): Promise<{ app: FastifyInstance; url: string }> {
  const app = await buildHttpServer(deps);
  const address = await app.listen({ port: deps.config.http.port ?? 0, host: deps.config.http.host });
  return { app, url: address };
}
