// Every bad input is a 4xx in the documented error shape, never a 500: NUL characters,
// ids above Postgres' int8, repeated parameters, oversized bodies, unencoded UTF-8 in the
// URL, on every route (JSON routes answer {"error", "message"}, the console answers its
// HTML error page). Real Postgres, Redis and queue, over HTTP.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpLogin, loginForm } from "../helpers/console-login.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { startSyncedConsole, type SyncedConsole } from "../helpers/synced-console.ts";
import { APP_ID } from "../sync/harness.ts";

const ADMIN_TOKEN = "badinput-Admin-Token-0123456789";
/** a webhook endpoint (nothing listens there), so replays reach the database */
const HOOK = "http://127.0.0.1:9/hook";
const db = await createTestDatabase();
const redis = createTestRedis();
let synced: SyncedConsole;
let base: string;
let session: string;
let csrf: string;

beforeAll(async () => {
  // every client is the same loopback address here: a failure limit no test reaches
  synced = await startSyncedConsole(db, redis, { adminToken: ADMIN_TOKEN, seed: { seed: 3, published: 3, maxNewsItems: 1, contentBytes: 200, materials: { image: 1, video: 0, voice: 0, news: 0 } }, http: { authFailuresPerMinute: 10_000 }, env: { WEBHOOK_URL: HOOK, WEBHOOK_SECRET: "badinput-webhook-secret-0123" } });
  base = synced.base;
  const login = await httpLogin(base, ADMIN_TOKEN);
  expect(login.status).toBe(303);
  session = login.cookie;
  // a CSRF token of this browser, so the actions reach their validation
  const page = await fetch(`${base}/runs`, { headers: { cookie: session }, redirect: "manual" });
  expect(page.status).toBe(200);
  csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
});

afterAll(async () => {
  await synced?.close();
});

const INT8_OVER = "9999999999999999999";
const cursorOf = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
const HUGE_CURSORS = [cursorOf({ u: null, i: INT8_OVER }), cursorOf({ u: "0000-01-01T00:00:00Z", i: "1" })];

interface Route {
  method: "GET" | "POST";
  path: string;
  /** query (GET) or body (POST) parameters the route reads, with a valid value each */
  params: Record<string, string>;
  /** the console (HTML pages, session cookie) rather than the JSON API (bearer token) */
  console?: boolean;
  /** JSON body instead of a form */
  json?: boolean;
  /** bull-board's own API: its validation answers in the shape its page reads ({"error": {"key"…}}); only "never a 500" applies */
  dashboardApi?: boolean;
}

const ROUTES: Route[] = [
  { method: "GET", path: "/healthz", params: {} },
  { method: "GET", path: "/readyz", params: {} },
  { method: "GET", path: "/metrics", params: {} },
  { method: "GET", path: "/v1/articles", params: { account: APP_ID, updated_since: "2024-01-01", limit: "5", include_deleted: "true", cursor: HUGE_CURSORS[0]!, q: "title" } },
  { method: "GET", path: "/v1/articles/:id", params: { account: APP_ID } },
  { method: "GET", path: "/v1/materials", params: { account: APP_ID, type: "image", limit: "5", cursor: HUGE_CURSORS[0]! } },
  { method: "GET", path: "/v1/changes", params: { after: "0", limit: "5", account: APP_ID } },
  { method: "GET", path: "/v1/feeds/:id", params: {} },
  { method: "GET", path: "/media/:id", params: {} },
  { method: "GET", path: "/admin/runs", params: { account: APP_ID, source: "published", limit: "5" } },
  { method: "POST", path: "/admin/resync", params: { account: APP_ID, source: "published" }, json: true },
  { method: "GET", path: "/admin/webhooks", params: {} },
  { method: "POST", path: "/admin/webhooks/replay", params: { after: "0", url: HOOK }, json: true },
  { method: "GET", path: "/admin/queues", params: {} },
  { method: "GET", path: "/admin/queues/api/queues", params: { activeQueue: "sync", status: "latest", page: "1", jobsPerPage: "10" }, dashboardApi: true },
  { method: "GET", path: "/login", params: {}, console: true },
  { method: "POST", path: "/login", params: { token: "not-the-token-0000000", _csrf: "" }, console: true },
  { method: "GET", path: "/", params: {}, console: true },
  { method: "GET", path: "/runs", params: { account: APP_ID, source: "published", status: "succeeded", before: "5" }, console: true },
  { method: "GET", path: "/runs/:id", params: {}, console: true },
  { method: "GET", path: "/articles", params: { q: "title", account: APP_ID, cursor: HUGE_CURSORS[0]! }, console: true },
  { method: "GET", path: "/articles/:id", params: {}, console: true },
  { method: "GET", path: "/articles/:id/items/:id", params: {}, console: true },
  { method: "POST", path: "/actions/resync", params: { account: APP_ID, source: "published", mode: "full" }, console: true },
  { method: "POST", path: "/actions/media-retry", params: { account: APP_ID }, console: true },
  { method: "POST", path: "/actions/webhook-replay", params: { url: HOOK, after: "0" }, console: true },
];

interface Case {
  route: Route;
  input: string;
  path: string;
  body?: string;
  contentType?: string;
}

/** the bad inputs of one route: in its path segment, in each parameter, repeated parameters */
function casesOf(route: Route): Case[] {
  const cases: Case[] = [];
  const ids = ["%00", INT8_OVER, "-1", "x".repeat(3000)];
  const paths = route.path.includes(":id") ? ids.map((id) => [`id=${id.slice(0, 20)}`, route.path.replaceAll(":id", id)] as const) : [["", route.path] as const];
  const valid = route.path.replaceAll(":id", "1");
  for (const [label, path] of paths) if (label) cases.push({ route, input: `path ${label}`, path });
  const values = ["%00", "a%00b", INT8_OVER, ...HUGE_CURSORS, "%FF%FE", "x".repeat(5000)];
  const bodyOf = (params: Record<string, string | string[]>): { body: string; contentType: string } =>
    route.json
      ? { body: JSON.stringify(params), contentType: "application/json" }
      : { body: Object.entries(params).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${x.startsWith("%") || x.includes("%00") ? x : encodeURIComponent(x)}`)).join("&"), contentType: "application/x-www-form-urlencoded" };
  const withCsrf = (p: Record<string, string | string[]>) => (route.console && route.method === "POST" && route.path !== "/login" ? { ...p, _csrf: csrf } : p);
  for (const name of [...Object.keys(route.params), "unknown"]) {
    for (const v of values) {
      if (route.method === "GET") cases.push({ route, input: `${name}=${v.slice(0, 20)}`, path: `${valid}?${new URLSearchParams({ ...route.params }).toString().replace(new RegExp(`(^|&)${name}=[^&]*`), "")}&${name}=${v}` });
      else cases.push({ route, input: `${name}=${v.slice(0, 20)}`, path: valid, ...bodyOf(withCsrf({ ...route.params, [name]: route.json ? decodeURIComponent(v.replace(/%FF%FE/, "")) : v })) });
    }
    // given twice
    if (route.method === "GET") cases.push({ route, input: `${name} twice`, path: `${valid}?${name}=1&${name}=2` });
    else cases.push({ route, input: `${name} twice`, path: valid, ...bodyOf(withCsrf({ ...route.params, [name]: ["1", "2"] })) });
  }
  if (route.method === "POST") {
    cases.push({ route, input: "10 MB body", path: valid, body: `token=${"a".repeat(10 * 1024 * 1024)}`, contentType: route.json ? "application/json" : "application/x-www-form-urlencoded" });
    cases.push({ route, input: "malformed body", path: valid, body: route.json ? "{" : "%%%=%", contentType: route.json ? "application/json" : "application/x-www-form-urlencoded" });
    cases.push({ route, input: "other content type", path: valid, body: "<x/>", contentType: "application/xml" });
  }
  return cases;
}

/** One request whose URL carries raw (unencoded) UTF-8, as some clients send it: fetch would encode it. */
function rawRequest(path: string, headers: Record<string, string>): Promise<{ status: number; contentType: string; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      const head = [`GET ${path} HTTP/1.1`, `Host: ${url.host}`, "Connection: close", ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), "", ""].join("\r\n");
      socket.write(Buffer.from(head, "utf8"));
    });
    const chunks: Buffer[] = [];
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", reject);
    socket.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const [headPart = "", ...rest] = text.split("\r\n\r\n");
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(headPart)?.[1]), contentType: /content-type: ([^\r\n]+)/i.exec(headPart)?.[1] ?? "", body: rest.join("\r\n\r\n") });
    });
  });
}

async function send(c: Case): Promise<{ status: number; contentType: string; body: string; location?: string | null }> {
  const headers: Record<string, string> = c.route.console ? { cookie: session } : { authorization: `Bearer ${ADMIN_TOKEN}` };
  if (c.contentType) headers["content-type"] = c.contentType;
  if (c.route.console && c.route.method === "POST") headers.origin = base;
  try {
    const r = await fetch(base + c.path, { method: c.route.method, headers, body: c.body, redirect: "manual" });
    return { status: r.status, contentType: r.headers.get("content-type") ?? "", body: await r.text(), location: r.headers.get("location") };
  } catch (e) {
    // the server may answer a body too large before reading it, and close: fetch then reports the write failing
    throw new Error(`${c.route.method} ${c.route.path} ${c.input}: ${(e as Error).message} ${String((e as { cause?: unknown }).cause)}`);
  }
}

function expectDocumentedError(c: { route: Route; input: string }, r: { status: number; contentType: string; body: string; location?: string | null }): void {
  const what = `${c.route.method} ${c.route.path} with ${c.input}: ${r.status} ${r.body.slice(0, 200)}`;
  expect(r.status, what).toBeLessThan(500);
  // the session must have reached the route (a redirect to the login would prove nothing)
  expect(r.location ?? null, what).not.toBe("/login");
  if (r.status < 400) return; // the input was harmless for this route (an ignored parameter)
  if (c.route.dashboardApi && !r.body.includes('"message"')) {
    expect(JSON.parse(r.body), what).toMatchObject({ error: expect.anything() });
    return;
  }
  // console pages answer their HTML error page; what is refused before a route is chosen
  // (a malformed request, an over-long path segment) is JSON everywhere
  if (c.route.console && r.contentType.startsWith("text/html")) {
    expect(r.body, what).toMatch(/class="error"/);
  } else {
    expect(r.contentType, what).toMatch(/^application\/json/);
    const body = JSON.parse(r.body) as Record<string, unknown>;
    expect(body, what).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    expect(Object.keys(body).every((k) => ["error", "field", "message"].includes(k)), what).toBe(true);
  }
}

describe("bad input", () => {
  it.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))("%s answers every bad input with a 4xx in the documented shape", { timeout: 120_000 }, async (_name, route) => {
    for (const c of casesOf(route)) expectDocumentedError(c, await send(c));
  });

  it.each(ROUTES.filter((r) => r.method === "GET").map((r) => [`${r.method} ${r.path}`, r] as const))("%s with unencoded UTF-8 in the URL", async (_name, route) => {
    const path = route.path.replaceAll(":id", "碳中和");
    const headers: Record<string, string> = route.console ? { cookie: session } : { authorization: `Bearer ${ADMIN_TOKEN}` };
    for (const p of [`${path}?q=碳中和`, `${path}?account=碳中和&cursor=碳`]) expectDocumentedError({ route, input: p }, await rawRequest(p, headers));
  });

  it("a login form POST with a token of 10 MB is refused before it is read", async () => {
    const form = await loginForm(base);
    const r = await fetch(`${base}/login`, { method: "POST", headers: { cookie: form.cookie, "content-type": "application/x-www-form-urlencoded" }, body: `_csrf=${form.csrf}&token=${"a".repeat(10 * 1024 * 1024)}` });
    expect(r.status).toBe(413);
    expect(await r.text()).toMatch(/class="error"/);
  });
});
