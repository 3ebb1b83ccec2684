// Liveness and readiness.
import type { FastifyInstance } from "fastify";
import type { ServerDeps } from "../deps.ts";
import { withTimeout } from "../../async/with-timeout.ts";

async function check(fn: () => Promise<unknown>, timeoutMs = 2_000): Promise<boolean> {
  try {
    return (await withTimeout(fn().then(() => true), timeoutMs)) ?? false;
  } catch {
    return false;
  }
}

export function healthRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_req, reply) => {
    const [postgres, redis] = await Promise.all([check(() => deps.reads.ping()), check(() => deps.redis.ping())]);
    const worker = deps.consuming ? deps.consuming() : true;
    const ready = postgres && redis && worker;
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not ready", checks: { postgres, redis, worker } });
  });
}
