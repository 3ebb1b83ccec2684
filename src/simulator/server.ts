// The HTTP front: reads a request, applies transport faults, the token check and fault
// errcodes in WeChat's order, runs the endpoint and writes the answer. Never blocks:
// latency is a timer, content is generated per page.
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { SimulatorCore } from "./core.ts";
import { handleControl } from "./control-routes.ts";
import { isMediaPath } from "./media.ts";
import { ROUTES, type Outcome } from "./wechat-routes.ts";
import { errorBody, quirksApply, serialize } from "./wire.ts";
import type { Simulator } from "./types.ts";

const MAX_BODY_BYTES = 1 << 20;

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
    // a client gone mid-body must not leave the request in flight forever (settled() waits on it)
    req.on("close", () => reject(new Error("request closed before its body ended")));
  });
}

function parseObject(raw: string): Record<string, unknown> | undefined {
  if (raw.trim() === "") return undefined;
  try {
    const v: unknown = JSON.parse(raw);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function sendText(res: http.ServerResponse, status: number, contentType: string, text: string): void {
  const body = Buffer.from(text, "utf8");
  res.writeHead(status, { "content-type": contentType, "content-length": body.length });
  res.end(body);
}

const gatewayPage = (status: number): string =>
  `<html>\r\n<head><title>${status} Bad Gateway</title></head>\r\n<body>\r\n<center><h1>${status}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

async function handleWeChat(core: SimulatorCore, req: http.IncomingMessage, res: http.ServerResponse, url: URL, raw: string): Promise<void> {
  const path = url.pathname;
  core.counters.call(path);
  const route = ROUTES[path];
  if (!route) return sendText(res, 404, "text/html", "<html><body>404 Not Found</body></html>");

  const delay = core.faults.delayMs(path);
  if (delay > 0) await sleep(delay);
  const transport = core.faults.transport(path);
  if (transport === "reset") {
    core.counters.fault(path, "reset");
    req.socket.destroy();
    return;
  }
  if (transport === "http5xx") {
    const status = core.faults.http5xxStatus();
    core.counters.fault(path, `http${status}`);
    return sendText(res, status, "text/html", gatewayPage(status));
  }

  let outcome: Outcome;
  if (route.post && req.method !== "POST") {
    outcome = { ok: false, errcode: 43002 };
  } else {
    const check = route.auth ? core.tokens.check(url.searchParams.get("access_token") ?? undefined, route.auth) : undefined;
    const injected = check && !check.ok ? undefined : (core.faults.errcode(path) ?? core.quota.take(path));
    if (check && !check.ok) outcome = { ok: false, errcode: check.errcode };
    else if (injected !== undefined) outcome = { ok: false, errcode: injected };
    else outcome = await route.handle(core, { path, query: url.searchParams, body: parseObject(raw) });
  }

  // errcode 0 counts successes (quota/get's body carries errcode 0 itself)
  core.counters.errcode(path, outcome.ok ? 0 : outcome.errcode);
  const q = quirksApply(core.quirks, path) ? core.quirks : {};
  let { body, contentType } = serialize(outcome.ok ? outcome.value : errorBody(outcome.errcode), q);
  if (core.faults.truncate(path)) {
    core.counters.fault(path, "truncated");
    body = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
  }
  res.writeHead(200, { "content-type": contentType, "content-length": body.length });
  res.end(body);
}

async function tracked(core: SimulatorCore, handle: () => Promise<void>): Promise<void> {
  core.inFlight.begin();
  try {
    await handle();
  } finally {
    core.inFlight.end();
  }
}

export function createHttpServer(core: SimulatorCore, sim: () => Simulator): http.Server {
  const server = http.createServer((req, res) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? "/", "http://simulator");
        if (url.pathname.startsWith("/__sim/")) await handleControl(sim(), core, req.method ?? "GET", url, await readBody(req), res);
        else {
          await tracked(core, async () => {
            const raw = await readBody(req);
            if (isMediaPath(url.pathname)) await core.media.handle(req, res, url);
            else await handleWeChat(core, req, res, url, raw);
          });
        }
      } catch (e) {
        // a failing onRequest hook or a bug: answer 500 rather than hang the client
        if (!res.headersSent && !res.destroyed) sendText(res, 500, "text/plain", `simulator error: ${(e as Error).message}`);
      }
    })();
  });
  server.keepAliveTimeout = 30_000;
  return server;
}

