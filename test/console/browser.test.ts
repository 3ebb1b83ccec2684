// The operator console in a real browser (playwright-core driving Debian's Chromium): log
// in, the overview of a synced simulator account, a resync whose run appears, an article
// whose mirrored images load, logout; a request without the session or with a wrong CSRF
// token is refused; sessions expire; logins are rate-limited. Saves the README's screenshots.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import type { Browser, Page } from "playwright-core";
import { startHttpServer } from "../../src/http/server.ts";
import type { Runtime } from "../../src/runtime.ts";
import type { Simulator } from "../../src/simulator/index.ts";
import { SOURCES } from "../../src/sync/types.ts";
import { chromiumMissing, launchChromium } from "../helpers/chromium.ts";
import { httpLogin } from "../helpers/console-login.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { startSyncedConsole, type SyncedConsole } from "../helpers/synced-console.ts";
import { until } from "../jobs/harness.ts";
import { APP_ID } from "../sync/harness.ts";

const missing = chromiumMissing;
if (missing) console.warn(`console browser tests SKIPPED: ${missing}`);
// screenshots go to a scratch folder (a test run leaves the tree as it was);
// MPSYNC_UPDATE_SCREENSHOTS=1 writes the README's copies in docs/img instead
const SHOTS = join(import.meta.dirname, process.env.MPSYNC_UPDATE_SCREENSHOTS === "1" ? "../../docs/img" : "../../.screenshots");
const ADMIN_TOKEN = "console-Admin-Token-0123456789";

const db = await createTestDatabase();
const redis = createTestRedis();
let synced: SyncedConsole;
let sim: Simulator;
let runtime: Runtime;
let base: string;
let strict: FastifyInstance;
let strictBase: string;
let searchOff: FastifyInstance;
let searchOffBase: string;
let browser: Browser;
let page: Page;

describe.skipIf(missing !== null)(`console in Chromium${missing ? ` (SKIPPED: ${missing})` : ""}`, () => {
  beforeAll(async () => {
    synced = await startSyncedConsole(db, redis, { adminToken: ADMIN_TOKEN, seed: { seed: 5, published: 12, maxNewsItems: 2, contentBytes: 1200, materials: { image: 4, video: 1, voice: 1, news: 2 } },
      // search is opt-in; the Articles box's search needs it (a second server below has it off)
      env: { SEARCH_INDEX: "true" } });
    ({ sim, runtime, base } = synced);
    const { config } = synced.deps;
    // a second server with its own key space: short sessions, few login attempts
    ({ app: strict, url: strictBase } = await startHttpServer({ ...synced.deps, config: { ...config, redisPrefix: `${config.redisPrefix}:strict`, http: { ...config.http, consoleSession: { idleMs: 60_000, maxMs: 1_500 }, authFailuresPerMinute: 3 } } }));
    browser = await launchChromium();
    // the same console with SEARCH_INDEX off (same key space: the browser's session works on both)
    ({ app: searchOff, url: searchOffBase } = await startHttpServer({ ...synced.deps, config: { ...config, search: { index: false } } }));
    page = await (await browser.newContext({ viewport: { width: 1366, height: 860 } })).newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await strict?.close();
    await searchOff?.close();
    await synced?.close();
  });

  it("logs in with the admin token (a wrong one is refused) and shows the synced account's overview", async () => {
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.screenshot({ path: join(SHOTS, "console-login.png") });
    // the login form has no session (its CSRF secret is a signed cookie); a login lives in
    // Redis for the idle lifetime, renewed by each request (1 hour by default)
    const sessionTtl = async () => {
      const c = (await page.context().cookies()).find((x) => x.name === "mpsync_session")!;
      return runtime.redis.pttl(`${runtime.config.redisPrefix}:console:session:${decodeURIComponent(c.value).split(".")[0]}`);
    };
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain("mpsync_session");
    await page.fill("#token", "not-the-admin-token-at-all");
    await page.click("button[type=submit]");
    await expect(page.locator(".error").textContent()).resolves.toContain("not the admin token");

    await page.fill("#token", ADMIN_TOKEN);
    await page.click("button[type=submit]");
    expect(new URL(page.url()).pathname).toBe("/");
    const cookie = (await page.context().cookies()).find((c) => c.name === "mpsync_session")!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", secure: false }); // plain http here; Secure on HTTPS
    const loginTtl = await sessionTtl();
    expect(loginTtl).toBeGreaterThan(50 * 60_000);
    expect(loginTtl).toBeLessThanOrEqual(60 * 60_000);
    const account = page.locator(`section.account[data-account="${APP_ID}"]`);
    for (const source of SOURCES) await expect(account.locator(`tr[data-source="${source}"] .badge.succeeded`).count()).resolves.toBe(1);
    await expect(account.locator(".media").textContent()).resolves.toMatch(/[1-9]\d* stored/);
    await expect(account.locator(".quota").textContent()).resolves.toMatch(/Daily quota: .*incremental every \d+ min/);
    await page.screenshot({ path: join(SHOTS, "console-overview.png"), fullPage: true });
    // a small laptop: the page itself never scrolls sideways (wide tables scroll in their box)
    await page.setViewportSize({ width: 1024, height: 700 });
    await expect(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")).resolves.toBe(true);
    await page.setViewportSize({ width: 1366, height: 860 });
  });

  it("a resync from the overview appears in the runs list and runs to success", async () => {
    const before = Number((await db.sql.query("SELECT max(id) AS m FROM sync_runs")).rows[0].m);
    const row = page.locator(`section.account[data-account="${APP_ID}"] tr[data-source="published"]`);
    await row.locator("select[name=mode]").selectOption("incremental");
    await row.locator("button", { hasText: "Resync" }).click();
    expect(new URL(page.url()).pathname).toBe("/runs");
    await expect(page.locator(".flash").textContent()).resolves.toMatch(/incremental sync of .* asked for \(published: (queued|merged)\)/);
    // the page refreshes itself (progressive enhancement); wait for the new run to show as succeeded
    const newRun = page.locator(`#runs tr[data-run="${before + 1}"]`);
    await newRun.locator(".badge.succeeded").waitFor({ timeout: 30_000 });
    await expect(newRun.textContent()).resolves.toContain("incremental");
    await page.screenshot({ path: join(SHOTS, "console-runs.png"), fullPage: true });
    await newRun.locator("a").first().click();
    await expect(page.locator("h1").textContent()).resolves.toContain(`Run #${before + 1}`);
    await expect(page.locator("dl.kv").first().textContent()).resolves.toContain("published");
  });

  it("finds an article by title and shows it with its mirrored images loaded, in a sandboxed frame", async () => {
    const article = sim.published().find((a) => a.news_item.some((n) => !n.is_deleted && /data-src=/.test(n.content)))!;
    const item = article.news_item.find((n) => !n.is_deleted)!;
    await page.goto(`${base}/articles`);
    await page.fill("input[name=q]", item.title.slice(0, 6));
    await page.click("form.filters button");
    await page.locator(`#articles a[href="/articles/${article.article_id}"]`).click();
    const frameEl = page.locator("iframe.article").first();
    await expect(frameEl.getAttribute("sandbox")).resolves.toBe("");
    const frame = (await frameEl.elementHandle())!.contentFrame();
    const f = (await frame)!;
    await f.waitForLoadState("load");
    // evaluated in the page (no DOM types in this project's tsconfig)
    const images = (await f.evaluate(`(async () => {
      const imgs = [...document.images];
      await Promise.all(imgs.map((i) => (i.complete ? null : new Promise((r) => { i.onload = r; i.onerror = r; }))));
      return imgs.map((i) => ({ src: i.getAttribute("src"), width: i.naturalWidth }));
    })()`)) as { src: string | null; width: number }[];
    expect(images.length).toBeGreaterThan(0);
    for (const i of images) {
      expect(i.src).toMatch(/^\/media\//);
      expect(i.width, i.src ?? "").toBeGreaterThan(0);
    }
    // the frame is an opaque origin: it cannot reach the console's document or cookies
    await expect(f.evaluate(`(() => { try { return String(window.parent.document.title); } catch { return "blocked"; } })()`)).resolves.toBe("blocked");
    await page.screenshot({ path: join(SHOTS, "console-article.png"), fullPage: false });
  });

  it("searches the articles' text, Chinese words included, and marks the match", async () => {
    await page.goto(`${base}/articles`);
    await page.fill("input[name=q]", "年轻人");
    await page.click("form.filters button");
    await page.locator("table.search mark").first().waitFor();
    const marks = await page.locator("table.search mark").allTextContents();
    expect(marks.length).toBeGreaterThan(0);
    expect(marks.every((m) => m.includes("年轻人"))).toBe(true);
    const expected = sim.published().filter((a) => a.news_item.some((n) => !n.is_deleted && `${n.title}${n.digest}${n.content}`.includes("年轻人"))).length;
    expect(new Set(await page.locator("table.search td:first-child a").evaluateAll((as) => as.map((a) => a.getAttribute("href")))).size).toBe(Math.min(expected, 20));
    await page.screenshot({ path: join(SHOTS, "console-search.png"), fullPage: false });
  });

  it("with SEARCH_INDEX off, the Articles box filters titles as before search and says search is off", async () => {
    const live = sim.published().flatMap((a) => a.news_item.filter((n) => !n.is_deleted).map((n) => ({ id: a.article_id, n })));
    // a word of a body that is in no title: search would find it, the title filter must not
    const inBody = live.find(({ n }) => n.content.includes("年轻人"))!;
    expect(inBody).toBeDefined();
    await page.goto(`${searchOffBase}/articles`);
    await expect(page.locator("#search-off").textContent()).resolves.toContain("search is off (SEARCH_INDEX)");
    await expect(page.locator("form.filters label").first().textContent()).resolves.toContain("title contains");
    const title = live[0]!.n.title.slice(0, 6);
    await page.fill("input[name=q]", title);
    await page.click("form.filters button");
    await page.locator("#articles").waitFor();
    expect(await page.locator("table.search").count()).toBe(0);
    const hrefs = await page.locator("#articles td.wrap a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    const withTitle = new Set(live.filter(({ n }) => n.title.includes(title)).map(({ id }) => `/articles/${id}`));
    expect(new Set(hrefs)).toEqual(withTitle);
    await page.screenshot({ path: join(SHOTS, "console-search-off.png"), fullPage: false });
    if (!live.some(({ n }) => n.title.includes("年轻人"))) {
      await page.goto(`${searchOffBase}/articles?q=${encodeURIComponent("年轻人")}`);
      await expect(page.locator("#articles td.muted").textContent()).resolves.toContain("no articles with that in the title");
    }
  });

  it("a failed run shows its errcode and what to do about it", async () => {
    sim.setFaults({ forceErrcode: 48001 }); // the API is not authorised for this account
    try {
      const before = Number((await db.sql.query("SELECT max(id) AS m FROM sync_runs")).rows[0].m);
      await page.goto(`${base}/`);
      const row = page.locator(`section.account[data-account="${APP_ID}"] tr[data-source="material:voice"]`);
      await row.locator("select[name=mode]").selectOption("full");
      await row.locator("button", { hasText: "Resync" }).click();
      const failed = page.locator(`#runs tr[data-run="${before + 1}"]`);
      await failed.locator(".badge.failed").waitFor({ timeout: 30_000 });
      await failed.locator("a").first().click();
      const error = page.locator(".error");
      await expect(error.textContent()).resolves.toMatch(/errcode 48001/);
      await expect(error.textContent()).resolves.toMatch(/What to do:.*not authorised for this API/);
      await page.screenshot({ path: join(SHOTS, "console-run-failed.png"), fullPage: true });
    } finally {
      sim.setFaults({});
    }
  });

  it("retries failed media from the overview", async () => {
    const asset = (await db.sql.query("UPDATE media_assets SET state = 'failed', next_attempt_at = NULL, last_error = 'HTTP 500' WHERE id = (SELECT min(id) FROM media_assets) RETURNING id")).rows[0].id;
    await page.goto(`${base}/`);
    const media = page.locator(`section.account[data-account="${APP_ID}"] .media`);
    await expect(media.textContent()).resolves.toMatch(/1 failed \(0 to be retried\)/);
    await media.locator("button", { hasText: "Retry failed media" }).click();
    await expect(page.locator(".flash").textContent()).resolves.toMatch(/^1 failed media asset\(s\) are due again; a media pass to download them is queued/);
    // the queued pass downloads it again at once, not after the account's next sync run
    let state = "failed";
    for (let i = 0; i < 200 && state !== "stored"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = (await db.sql.query("SELECT state FROM media_assets WHERE id = $1", [asset])).rows[0].state;
    }
    expect(state).toBe("stored");
  });

  it("refuses a wrong CSRF token and requests without the session; bull-board takes the session, Bearer still works", async () => {
    const wrong = await page.request.post(`${base}/actions/resync`, { form: { _csrf: "forged-token", account: APP_ID, mode: "full" }, maxRedirects: 0 });
    expect(wrong.status()).toBe(403);
    const none = await page.request.post(`${base}/actions/resync`, { form: { account: APP_ID, mode: "full" }, maxRedirects: 0 });
    expect(none.status()).toBe(403);

    const anon = await fetch(`${base}/actions/resync`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ account: APP_ID, mode: "full" }) });
    expect(anon.status).toBe(401);
    for (const path of ["/", "/runs", "/articles"]) {
      const r = await fetch(base + path, { redirect: "manual" });
      expect(r.status, path).toBe(303);
      expect(r.headers.get("location")).toBe("/login");
    }

    const board = await page.goto(`${base}/admin/queues`);
    expect(board!.status()).toBe(200);
    const json = await page.request.get(`${base}/admin/runs?limit=1`);
    expect(json.status()).toBe(200);
    // a session's state-changing admin request from another origin is refused
    const crossSite = await page.request.post(`${base}/admin/resync`, { data: { account: APP_ID }, headers: { origin: "http://evil.example" } });
    expect(crossSite.status()).toBe(403);
    expect((await fetch(`${base}/admin/runs?limit=1`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(200);
    expect((await fetch(`${base}/admin/runs?limit=1`)).status).toBe(401);
  });

  it("logs out: the old session cookie no longer opens the console", async () => {
    await page.goto(`${base}/`);
    const cookie = (await page.context().cookies()).find((c) => c.name === "mpsync_session")!;
    await page.click("header button", { hasText: "Log out" } as never);
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.goto(`${base}/runs`);
    expect(new URL(page.url()).pathname).toBe("/login");
    const replayed = await fetch(`${base}/`, { redirect: "manual", headers: { cookie: `${cookie.name}=${cookie.value}` } });
    expect(replayed.status).toBe(303);
    expect((await fetch(`${base}/admin/runs`, { headers: { cookie: `${cookie.name}=${cookie.value}` } })).status).toBe(401);
  });

  it("sessions expire", async () => {
    const { status, cookie } = await httpLogin(strictBase, ADMIN_TOKEN);
    expect(status).toBe(303);
    expect((await fetch(`${strictBase}/`, { redirect: "manual", headers: { cookie } })).status).toBe(200);
    await until(async () => (await fetch(`${strictBase}/`, { redirect: "manual", headers: { cookie } })).status === 303, 20_000, "the session to expire");
  });

  it("rate-limits login attempts", async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await httpLogin(strictBase, "wrong-token-wrong-token")).status);
    // 3 attempts a minute on this server (the login of the test above was one of them)
    const first = statuses.indexOf(429);
    expect(first).toBeGreaterThan(0);
    expect(statuses.slice(0, first).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(first).every((s) => s === 429)).toBe(true);
    // even the right token waits out the window
    expect((await httpLogin(strictBase, ADMIN_TOKEN)).status).toBe(429);
  });
});
