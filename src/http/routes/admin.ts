// Admin routes behind the bearer token: manual resync, recent runs, the queue dashboard.
// Registered only when ADMIN_TOKEN is set.
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { SOURCES } from "../../sync/types.ts";
import { requireAdmin, type ConsoleAuth } from "../auth.ts";
import { InvalidParameterError } from "../errors.ts";
import { runOut } from "../../status/runs.ts";
import { quotaReport } from "../../status/quota.ts";
import { plannerSettings } from "../../config/config.ts";
import { statusReport, targetOut } from "../../status/report.ts";
import type { ServerDeps } from "../deps.ts";
import { parseInput } from "../validate.ts";
import { adminWebhookRoutes } from "./admin-webhooks.ts";
import { dashboardRoutes } from "./dashboard.ts";

const resyncBody = z.object({ account: z.string().min(1), source: z.enum(SOURCES).optional() }).strict();
const runsQuery = z
  .object({ account: z.string().min(1).optional(), source: z.enum(SOURCES).optional(), limit: z.coerce.number().int().min(1).max(500).default(50) })
  .strict();


export async function adminRoutes(app: FastifyInstance, deps: ServerDeps, adminToken: string, consoleAuth?: ConsoleAuth): Promise<void> {
  await app.register(async (admin) => {
    admin.addHook("onRequest", requireAdmin(adminToken, consoleAuth));

    admin.post("/admin/resync", async (req, reply) => {
      const body = parseInput(resyncBody, req.body, "body");
      if (!deps.config.accounts.some((a) => a.appId === body.account)) throw new InvalidParameterError("account", `is not a configured account`);
      if (!deps.queue) throw new Error("the job queue is not available in this process");
      const sources = body.source ? [body.source] : [...SOURCES];
      const jobs = [];
      for (const source of sources) jobs.push(await deps.queue.enqueue({ appId: body.account, source, mode: "full", trigger: "manual" }));
      return reply.code(202).send({ jobs: jobs.map((j) => ({ account: j.appId, source: j.source, job_id: j.jobId, outcome: j.outcome })) });
    });

    admin.get("/admin/runs", async (req) => {
      const q = parseInput(runsQuery, req.query);
      const runs = (await deps.reads.recentRuns({ appId: q.account, source: q.source, limit: q.limit })).map(runOut);
      if (!deps.queue) return { runs };
      const [counts, targets] = await Promise.all([deps.queue.counts(), deps.queue.targets(deps.config.accounts)]);
      const quotas = await quotaReport(deps.redis, deps.config.redisPrefix, deps.config.accounts, plannerSettings(deps.config).quotaReservePercent);
      return { runs, queue: counts, targets: (await statusReport(deps.reads, targets)).map(targetOut), quotas };
    });

    if (deps.changeFeed) adminWebhookRoutes(admin, deps, deps.changeFeed);

    if (deps.queue) await dashboardRoutes(admin, deps.queue, deps.logger);
  });
}
