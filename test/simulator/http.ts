// Plain HTTP calls to the simulator, the way any WeChat client would make them.
import { request } from "undici";
import type { Simulator } from "../../src/simulator/index.ts";

export interface Reply {
  status: number;
  contentType: string;
  text: string;
  /** the JSON body with a BOM stripped; undefined when it does not parse */
  json: any;
}

export async function call(
  sim: Simulator | string,
  path: string,
  opts: { query?: Record<string, string>; body?: unknown; method?: "GET" | "POST" } = {},
): Promise<Reply> {
  const base = typeof sim === "string" ? sim : sim.url;
  const qs = opts.query ? `?${new URLSearchParams(opts.query)}` : "";
  const method = opts.method ?? (opts.body === undefined ? "GET" : "POST");
  const res = await request(`${base}${path}${qs}`, {
    method,
    body: opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body),
  });
  // decoded by hand: undici's text() would silently drop a BOM, which tests must see
  const text = Buffer.from(await res.body.arrayBuffer()).toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\ufeff/, ""));
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, contentType: String(res.headers["content-type"] ?? ""), text, json };
}

export const APP = { appId: "wxsimtest0000001", secret: "sim-test-secret-1" };

export async function legacyToken(sim: Simulator, app = APP): Promise<string> {
  const r = await call(sim, "/cgi-bin/token", { query: { grant_type: "client_credential", appid: app.appId, secret: app.secret } });
  if (typeof r.json?.access_token !== "string") throw new Error(`no token: ${r.text}`);
  return r.json.access_token as string;
}

export function published(sim: Simulator, token: string, body: Record<string, unknown>): Promise<Reply> {
  return call(sim, "/cgi-bin/freepublish/batchget", { query: { access_token: token }, body });
}

export function materials(sim: Simulator, token: string, body: Record<string, unknown>): Promise<Reply> {
  return call(sim, "/cgi-bin/material/batchget_material", { query: { access_token: token }, body });
}

/** every page of the published list, walking offsets 0, 20, 40, ... */
export async function walkPublished(sim: Simulator, token: string, count = 20): Promise<any[]> {
  const items: any[] = [];
  for (let offset = 0; ; offset += count) {
    const r = await published(sim, token, { offset, count, no_content: 0 });
    items.push(...r.json.item);
    if (offset + count >= r.json.total_count) return items;
  }
}
