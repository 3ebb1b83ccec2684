// GET /v1/changes: the change feed pulled, in commit order, keyset-paginated by event id.
// Start with after=0 (or omit it); pass next_after back as after. With nothing newer,
// next_after stays where it was, so a poller can keep asking.
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { toChangeEvent } from "../../changes/event.ts";
import type { ServerDeps } from "../deps.ts";
import { InvalidParameterError } from "../errors.ts";
import { int8String, parseInput } from "../validate.ts";

const changesQuery = z
  .object({
    after: int8String("must be an event id (a decimal integer, 0 for the beginning)").default("0"),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    account: z.string().min(1).max(64).optional(),
  })
  .strict();

export function changesRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get("/v1/changes", async (req) => {
    const q = parseInput(changesQuery, req.query);
    if (q.account !== undefined && (await deps.reads.accountIdOf(q.account)) === null) {
      throw new InvalidParameterError("account", `no synced account has app_id ${q.account}`);
    }
    const rows = await deps.reads.listChanges({ after: BigInt(q.after), limit: q.limit, appId: q.account });
    const data = rows.map(toChangeEvent);
    return { data, next_after: data.at(-1)?.id ?? BigInt(q.after).toString() };
  });
}
