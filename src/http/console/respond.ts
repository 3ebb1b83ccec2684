// How the console answers: its pages with their security headers (a CSP that allows
// nothing from elsewhere and no framing), and its stylesheet and script.
import type { FastifyInstance, FastifyReply } from "fastify";
import { CSS, JS } from "./assets.ts";
import { html } from "./html.ts";
import { page } from "./layout.ts";

export const CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** A console page. */
export function send(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply.code(status).header("content-type", "text/html; charset=utf-8").header("content-security-policy", CONSOLE_CSP).header("x-frame-options", "DENY").header("cache-control", "no-store").header("referrer-policy", "same-origin").send(body);
}

/** /console/app.css and /console/app.js */
export function consoleAssets(app: FastifyInstance): void {
  app.get("/console/app.css", async (_req, reply) => reply.header("content-type", "text/css; charset=utf-8").header("cache-control", "public, max-age=300").send(CSS));
  app.get("/console/app.js", async (_req, reply) => reply.header("content-type", "text/javascript; charset=utf-8").header("cache-control", "public, max-age=300").send(JS));
}

/**
 * Without ADMIN_TOKEN there is no console: `/` says how to turn it on (a browser pointed at
 * the port would otherwise see a bare JSON 404).
 */
export function consoleOffRoutes(app: FastifyInstance): void {
  consoleAssets(app);
  app.get("/", async (_req, reply) =>
    send(
      reply,
      page(
        { title: "Console off" },
        html`<div class="card"><h1>mpsync</h1><p>The operator console is off on this server. To turn it on, set <code>ADMIN_TOKEN</code> (16 characters or more) in the worker's environment and restart <code>mpsync worker</code>; then log in here with that token.</p>
<p class="muted">Served meanwhile: <a href="/healthz">/healthz</a>, <a href="/readyz">/readyz</a>, <code>/metrics</code>, the read API under <code>/v1</code>, feeds and <code>/media</code>.</p></div>`,
      ),
      404,
    ),
  );
}
