// Admin routes behind the bearer token: manual resync, recent runs, the queue dashboard.
// Registered only when ADMIN_TOKEN is set.
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { FastifyAdapter } from "@bull-board/fastify";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { SOURCES } from "../../sync/types.ts";
import { requireAdmin, type ConsoleAuth } from "../auth.ts";
import { errorAnswer, InvalidParameterError } from "../errors.ts";
import { runOut } from "../../status/runs.ts";
import { quotaReport } from "../../status/quota.ts";
import { plannerSettings } from "../../config/config.ts";
import { statusReport, targetOut } from "../../status/report.ts";
import type { ServerDeps } from "../deps.ts";
import { parseInput, refuseRepeated } from "../validate.ts";
import { adminWebhookRoutes } from "./admin-webhooks.ts";

const resyncBody = z.object({ account: z.string().min(1), source: z.enum(SOURCES).optional() }).strict();
const runsQuery = z
  .object({ account: z.string().min(1).optional(), source: z.enum(SOURCES).optional(), limit: z.coerce.number().int().min(1).max(500).default(50) })
  .strict();

export const DASHBOARD_PATH = "/admin/queues";
const DASHBOARD_PAGING_MAX: Record<string, number> = { page: 1_000_000, jobsPerPage: 1_000 };

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

    if (deps.queue) {
      const board = new FastifyAdapter();
      // @bull-board/fastify 9.10.1 pins its own copy of @bull-board/api (9.10.2 is installed): same shape, distinct types
      createBullBoard({ queues: [new BullMQAdapter(deps.queue.bull)], serverAdapter: board });
      // bull-board's errors in the documented shape too (its own handler answers 500 for everything it did not expect)
      board.setErrorHandler((err) => {
        const answer = errorAnswer(err);
        if (answer.status >= 500) deps.logger.error({ err, component: "http" }, "dashboard request failed");
        // its type lists fewer statuses than HTTP has (no 413, 415): the adapter sends any number
        return { status: answer.status as 400, body: answer.body };
      });
      board.setBasePath(DASHBOARD_PATH);
      // bull-board decodes some query values a second time (decodeURIComponent throws on a
      // stray %), answers a repeated one in its own shape and puts no upper bound on paging
      // (a huge page becomes a Redis error): refused here, as 400s
      admin.addHook("preValidation", async (req) => {
        if (!req.url.startsWith(`${DASHBOARD_PATH}/`)) return;
        refuseRepeated(req.query);
        for (const [k, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
          if (typeof v !== "string") continue;
          try {
            decodeURIComponent(v);
          } catch {
            throw new InvalidParameterError(k, "is not valid percent-encoded text");
          }
          const max = DASHBOARD_PAGING_MAX[k];
          if (max !== undefined && !(/^\d{1,9}$/.test(v) && Number(v) <= max)) throw new InvalidParameterError(k, `must be an integer up to ${max}`);
        }
      });
      await admin.register(board.registerPlugin(), { prefix: DASHBOARD_PATH });
    }
  });
}
