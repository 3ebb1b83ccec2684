// The HTTP server `mpsync worker` starts when HTTP_PORT is set: health, metrics, admin,
// read API. Errors map by class to status codes; bodies never carry secrets or stacks.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { ServerDeps } from "./deps.ts";
import { InvalidParameterError, NotFoundError } from "./errors.ts";
import { adminRoutes } from "./routes/admin.ts";
import { healthRoutes } from "./routes/health.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { readApiRoutes } from "./routes/read-api.ts";
import { mediaRoutes } from "./routes/media.ts";
import { changesRoutes } from "./routes/changes.ts";
import { feedRoutes } from "./routes/feeds.ts";
import { accountPushIntake, wechatPushRoutes } from "./routes/wechat-push.ts";
import { readAccess } from "./read-access.ts";
import { consoleRoutes } from "./console/routes.ts";
import { hasConsoleSession, registerConsoleSession, sameOrigin } from "./console/session.ts";

export async function buildHttpServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: deps.logger.child({ component: "http" }) as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }), bodyLimit: 64 * 1024, trustProxy: deps.config.http.trustProxy ?? false });
  app.setErrorHandler((err, req, reply) => {
    if (err instanceof InvalidParameterError) return reply.code(400).send({ error: "invalid_parameter", field: err.field, message: err.message });
    if (err instanceof NotFoundError) return reply.code(404).send({ error: "not_found", message: err.message });
    const status = (err as { statusCode?: number }).statusCode;
    // Fastify's own 4xx (malformed JSON body, unsupported media type): its message names no secret
    if (status && status >= 400 && status < 500) return reply.code(status).send({ error: "bad_request", field: "body", message: (err as Error).message });
    req.log.error({ err, url: req.routeOptions.url }, "request failed");
    return reply.code(500).send({ error: "internal", message: "internal error; see the worker log" });
  });
  // unknown routes answer in the documented error shape too
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: "not_found", message: `no route ${req.method} ${req.url.split("?")[0]}` }));
  healthRoutes(app, deps);
  metricsRoutes(app, deps);
  // who may read what (read-access.ts): decided per route before any handler runs
  const access = readAccess(deps.config.http);
  app.addHook("onRequest", access.hook);
  readApiRoutes(app, deps, access);
  changesRoutes(app, deps);
  feedRoutes(app, deps);
  mediaRoutes(app, deps);
  // WeChat's message push: signed (and encrypted) by the account's own server settings
  if (deps.pushes && deps.enqueuePush) wechatPushRoutes(app, deps, accountPushIntake(deps, deps.enqueuePush));
  const adminToken = deps.config.http.adminToken;
  if (adminToken) {
    // the operator console at / and its session, which the admin routes accept too
    await registerConsoleSession(app, { redis: deps.redis, prefix: deps.config.redisPrefix, adminToken, ttlMs: deps.console?.sessionTtlMs, loginAttemptsPerMinute: deps.console?.loginAttemptsPerMinute });
    consoleRoutes(app, deps, adminToken);
    await adminRoutes(app, deps, adminToken, { session: hasConsoleSession, sameOrigin });
  }
  return app;
}

/** Listens on config.http (port 0: any free port); resolves with the bound address. */
export async function startHttpServer(deps: ServerDeps): Promise<{ app: FastifyInstance; url: string }> {
  const app = await buildHttpServer(deps);
  const address = await app.listen({ port: deps.config.http.port ?? 0, host: deps.config.http.host });
  return { app, url: address };
}
