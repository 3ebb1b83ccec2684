// The bull-board dashboard at /admin/queues (inside the admin plugin, behind its token or
// the console's session), made to keep mpsync's promises: no third-party request (its page
// links a public font CDN: the link is dropped, system fonts stand in), a CSP that forbids
// other origins and framing, errors in the documented shape, and input it mishandles
// refused as 400s before it reaches it.
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { FastifyAdapter } from "@bull-board/fastify";
import type { FastifyInstance } from "fastify";
import type { JobQueue } from "../../job-queue.ts";
import type { Logger } from "../../logging/logger.ts";
import { errorAnswer, InvalidParameterError } from "../errors.ts";
import { refuseRepeated } from "../validate.ts";

export const DASHBOARD_PATH = "/admin/queues";

/** bull-board's page: its own scripts and styles (React sets inline styles), nothing from elsewhere, never framed */
export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/** a stylesheet link to another origin (the font CDN) */
const FOREIGN_LINK = /<link\b[^>]*\bhref="(?:https?:)?\/\/[^"]*"[^>]*>\s*/gi;

/** paging parameters bull-board takes without an upper bound (a huge page becomes a Redis error) */
const PAGING_MAX: Record<string, number> = { page: 1_000_000, jobsPerPage: 1_000 };

export async function dashboardRoutes(admin: FastifyInstance, queue: JobQueue, logger: Logger): Promise<void> {
  const board = new FastifyAdapter();
  // @bull-board/fastify 9.10.1 pins its own copy of @bull-board/api (9.10.2 is installed): same shape, distinct types
  createBullBoard({ queues: [new BullMQAdapter(queue.bull)], serverAdapter: board });
  // its own handler answers 500 with its message for everything it did not expect
  board.setErrorHandler((err) => {
    const answer = errorAnswer(err);
    if (answer.status >= 500) logger.error({ err, component: "http" }, "dashboard request failed");
    // its type lists fewer statuses than HTTP has (no 413, 415): the adapter sends any number
    return { status: answer.status as 400, body: answer.body };
  });
  board.setBasePath(DASHBOARD_PATH);
  await admin.register(async (dash) => {
    // it decodes some query values a second time (decodeURIComponent throws on a stray %)
    // and answers a repeated one in its own shape
    dash.addHook("preValidation", async (req) => {
      refuseRepeated(req.query);
      for (const [k, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
        if (typeof v !== "string") continue;
        try {
          decodeURIComponent(v);
        } catch {
          throw new InvalidParameterError(k, "is not valid percent-encoded text");
        }
        const max = PAGING_MAX[k];
        if (max !== undefined && !(/^\d{1,9}$/.test(v) && Number(v) <= max)) throw new InvalidParameterError(k, `must be an integer up to ${max}`);
      }
    });
    dash.addHook("onSend", async (_req, reply, payload) => {
      reply.header("content-security-policy", DASHBOARD_CSP).header("x-frame-options", "DENY").header("referrer-policy", "same-origin");
      if (typeof payload === "string" && String(reply.getHeader("content-type") ?? "").startsWith("text/html")) return payload.replace(FOREIGN_LINK, "");
      return payload;
    });
    await dash.register(board.registerPlugin(), { prefix: DASHBOARD_PATH });
  });
}
