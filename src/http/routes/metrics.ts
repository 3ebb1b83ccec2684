// Prometheus scrape endpoint; queue depth is read at scrape time.
import type { FastifyInstance } from "fastify";
import type { ServerDeps } from "../deps.ts";
import { withTimeout } from "../../async/with-timeout.ts";

export function metricsRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get("/metrics", async (_req, reply) => {
    if (deps.queue) {
      const counts = await withTimeout(deps.queue.counts(), 2_000).catch(() => undefined); // Redis down: scrape the rest
      if (counts) deps.metrics.setQueueDepth(counts);
    }
    return reply.header("content-type", deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
}
