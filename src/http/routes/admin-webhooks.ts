// Admin equivalents of `mpsync webhooks status|replay` (inside the admin plugin, behind
// its token): GET /admin/webhooks, POST /admin/webhooks/replay {after, url?, account?}.
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { changeFeedConfigOf } from "../../config/change-feed.ts";
import type { ChangeFeedStore } from "../../store/change-feed-store.ts";
import { NoSuchEndpointError, replayWebhooks, webhookStatus } from "../../webhooks/operator.ts";
import type { ServerDeps } from "../deps.ts";
import { InvalidParameterError } from "../errors.ts";
import { int8String, parseInput } from "../validate.ts";

const replayBody = z
  .object({
    after: z.union([int8String("must be an event id"), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)]).transform((v) => BigInt(v)),
    url: z.string().min(1).optional(),
    account: z.string().min(1).optional(),
  })
  .strict();

export function adminWebhookRoutes(admin: FastifyInstance, deps: ServerDeps, store: ChangeFeedStore): void {
  const endpoints = changeFeedConfigOf(deps.config).webhooks;
  admin.get("/admin/webhooks", async () => webhookStatus(store, endpoints));
  admin.post("/admin/webhooks/replay", async (req, reply) => {
    const body = parseInput(replayBody, req.body, "body");
    try {
      const r = await replayWebhooks(store, endpoints, { after: body.after, url: body.url, scope: body.account });
      return reply.code(202).send({ after: body.after.toString(), ...r });
    } catch (e) {
      if (e instanceof NoSuchEndpointError) throw new InvalidParameterError(body.url !== undefined ? "url" : "account", e.message);
      throw e;
    }
  });
}
