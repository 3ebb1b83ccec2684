// Pages mpsync serves make no request to any other origin (the console, its article frames,
// bull-board at /admin/queues, the "console off" page), and the console, the dashboard and
// /media forbid framing and other origins by CSP. Real Chromium (playwright-core), real
// Postgres, Redis, queue and a synced simulator account with its images mirrored.
import { mkdirSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import type { Browser, BrowserContext } from "playwright-core";
import { startHttpServer } from "../../src/http/server.ts";
import { chromiumMissing, launchChromium } from "../helpers/chromium.ts";
import { httpLogin } from "../helpers/console-login.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { startSyncedConsole, type SyncedConsole } from "../helpers/synced-console.ts";

const missing = chromiumMissing;
if (missing) console.warn(`third-party request tests in Chromium SKIPPED: ${missing}`);
const SHOTS = join(import.meta.dirname, "../../.screenshots");
const ADMIN_TOKEN = "thirdparty-Admin-Token-0123456789";

const db = await createTestDatabase();
const redis = createTestRedis();
let synced: SyncedConsole;
let base: string;
let off: FastifyInstance;
let offBase: string;
/** an SVG with a script, stored as a mirrored object */
const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg"><script>window.ran = true</script></svg>`);
const svgHash = createHash("sha256").update(svg).digest("hex");
const svgKey = `${svgHash.slice(0, 2)}/${svgHash}.svg`;

beforeAll(async () => {
  synced = await startSyncedConsole(db, redis, { adminToken: ADMIN_TOKEN, seed: { seed: 9, published: 4, maxNewsItems: 2, contentBytes: 800, materials: { image: 2, video: 0, voice: 0, news: 0 } } });
  base = synced.base;
  const { config } = synced.deps;
  ({ app: off, url: offBase } = await startHttpServer({ ...synced.deps, config: { ...config, http: { ...config.http, adminToken: undefined } } }));
  mkdirSync(join(synced.mediaDir, svgKey.slice(0, 2)), { recursive: true });
  writeFileSync(join(synced.mediaDir, ...svgKey.split("/")), svg);
});

afterAll(async () => {
  await off?.close();
  await synced?.close();
});

const csp = (r: Response): string => r.headers.get("content-security-policy") ?? "";

describe("security headers", () => {
  it("console pages: a CSP allowing only this origin, no framing", async () => {
    const { cookie } = await httpLogin(base, ADMIN_TOKEN);
    for (const path of ["/login", "/", "/runs", "/articles"]) {
      const r = await fetch(base + path, { headers: path === "/login" ? {} : { cookie }, redirect: "manual" });
      expect(r.status, path).toBe(200);
      expect(csp(r), path).toMatch(/default-src 'none'/);
      expect(csp(r), path).toMatch(/frame-ancestors 'none'/);
      expect(r.headers.get("x-frame-options"), path).toBe("DENY");
    }
  });

  it("the dashboard: a CSP allowing only this origin, no framing, and no font CDN link in its page", async () => {
    const r = await fetch(`${base}/admin/queues`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toMatch(/<div id="root">/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(csp(r)).toMatch(/default-src 'self'/);
    expect(csp(r)).toMatch(/frame-ancestors 'none'/);
    expect(r.headers.get("x-frame-options")).toBe("DENY");
    const api = await fetch(`${base}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(api.status).toBe(200);
    expect(csp(api)).toMatch(/frame-ancestors 'none'/);
  });

  it("/media: a sandboxing CSP (an SVG or HTML object runs nothing), no framing, no sniffing", async () => {
    const r = await fetch(`${base}/media/${svgKey}`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("image/svg+xml");
    expect(csp(r)).toMatch(/default-src 'none'/);
    expect(csp(r)).toMatch(/(^|; )sandbox(;|$)/);
    expect(csp(r)).toMatch(/frame-ancestors 'none'/);
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("without ADMIN_TOKEN, / says how to turn the console on", async () => {
    const r = await fetch(`${offBase}/`);
    expect(r.status).toBe(404);
    expect(r.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await r.text()).toMatch(/set <code>ADMIN_TOKEN<\/code>/);
    expect(csp(r)).toMatch(/frame-ancestors 'none'/);
    expect((await fetch(`${offBase}/login`)).status).toBe(404);
  });
});

describe.skipIf(missing !== null)(`no third-party requests in Chromium${missing ? ` (SKIPPED: ${missing})` : ""}`, () => {
  let browser: Browser;
  let context: BrowserContext;
  const requested: string[] = [];
  const violations: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    // every request of every page and frame, whatever its fate (a blocked one is still recorded)
    context.on("request", (r) => requested.push(r.url()));
    context.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  const foreign = (origin: string) => requested.filter((u) => !u.startsWith("data:") && !u.startsWith("about:") && new URL(u).origin !== origin);

  it("the console (login, overview, runs, an article with its frames) and bull-board load only from the server's origin", async () => {
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill("#token", ADMIN_TOKEN);
    await page.click("button[type=submit]");
    expect(new URL(page.url()).pathname).toBe("/");
    await page.goto(`${base}/runs`);
    await page.locator("#runs tr[data-run] a").first().click();
    await page.goto(`${base}/articles`);
    await page.locator("#articles a").first().click();
    await page.locator("iframe.article").first().waitFor();
    await page.waitForLoadState("networkidle");

    await page.goto(`${base}/admin/queues`);
    // bull-board renders its queue under the CSP: its scripts ran
    await page.getByText("sync", { exact: false }).first().waitFor({ timeout: 30_000 });
    await page.waitForLoadState("networkidle");
    await page.screenshot({ path: join(SHOTS, "dashboard-no-cdn.png") });

    expect(requested.length).toBeGreaterThan(10);
    expect(requested.some((u) => u.includes("/admin/queues/static/"))).toBe(true);
    expect(requested.some((u) => u.includes("/media/"))).toBe(true);
    expect(foreign(new URL(base).origin)).toEqual([]);
    expect(violations).toEqual([]);
    await page.close();
  });

  it("the 'console off' page loads nothing from elsewhere either", async () => {
    requested.length = 0;
    const page = await context.newPage();
    await page.goto(`${offBase}/`);
    await expect(page.locator("main").textContent()).resolves.toMatch(/set ADMIN_TOKEN/);
    await page.screenshot({ path: join(SHOTS, "console-off.png") });
    expect(foreign(new URL(offBase).origin)).toEqual([]);
    await page.close();
  });
});
