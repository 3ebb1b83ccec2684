// Display HTML embedded as a website would (the README's "How a website shows an article"),
// in a real browser (playwright-core driving Debian's Chromium): a corpus of known XSS
// vectors (test/fixtures/xss/vectors.json) runs scripts or navigates when embedded raw
// (the harness can see an attack), and does neither once through renderDisplayHtml; a
// realistic WeChat article keeps its elements, layout and images.
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { renderDisplayHtml } from "../../src/media/display-html.ts";
import { noisePng } from "../../src/simulator/media.ts";

const CHROMIUM = process.env.MPSYNC_CHROMIUM ?? "/usr/bin/chromium";
const missing = existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (npm test, through npm run services -- --browser, installs Debian's chromium as root; or set MPSYNC_CHROMIUM)`;
if (missing) console.warn(`display HTML browser tests SKIPPED: ${missing}`);

const FIXTURES = join(import.meta.dirname, "../fixtures/xss");
const VECTORS = (JSON.parse(readFileSync(join(FIXTURES, "vectors.json"), "utf8")) as { vectors: string[] }).vectors;
const ARTICLE = readFileSync(join(FIXTURES, "wechat-article.html"), "utf8").trim();

let server: Server;
let base: string;
let browser: Browser;

/** mmbiz URLs of the fixtures name their test image: .../<name>-<w>x<h>/640?... -> <base>/img/<name>-<w>x<h>.png */
const MMBIZ = /https?:\/\/mmbiz\.qpic\.cn\/mmbiz_\w+\/([A-Za-z0-9]+-\d+x\d+)\/\d+\?[^"&)\s]*(?:&(?:amp;)?[^"&)\s]*)*/g;
const mirrorOf = (u: string): string | null => {
  const m = /\/([A-Za-z0-9]+-\d+x\d+)\/\d+\?/.exec(u);
  return m ? `${base}/img/${m[1]}.png` : null;
};

interface Observed {
  /** xss(n) calls and dialogs, from any frame */
  hits: string[];
  /** pages opened */
  popups: number;
}

/** A page whose every frame may call xss(); everything not served by the test server answers a stub page. */
async function watchedPage(context: BrowserContext, observed: Observed): Promise<Page> {
  const page = await context.newPage();
  await page.exposeBinding("xss", (_source, n: unknown) => void observed.hits.push(`xss(${String(n)})`));
  page.on("dialog", (d) => {
    observed.hits.push(`dialog: ${d.message()}`);
    void d.dismiss().catch(() => {});
  });
  await page.route("**/*", (route) =>
    route.request().url().startsWith(base) ? route.continue() : route.fulfill({ status: 200, contentType: "text/html", body: "<p>navigated away</p>" }),
  );
  return page;
}

const attr = (s: string): string => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;");

/** Every vector in its own srcdoc frame (one document each, as one embedding page each), then poked at. */
async function runCorpus(htmlOf: (vector: string) => string): Promise<Observed & { moved: string[]; frames: Page }> {
  const observed: Observed = { hits: [], popups: 0 };
  const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
  context.on("page", () => void observed.popups++);
  const page = await watchedPage(context, observed);
  observed.popups = 0; // the page itself
  const frames = VECTORS.map((v, i) => `<iframe name="v${i}" width="300" height="150" srcdoc="${attr(`<!doctype html><meta charset="utf-8"><body><article>${htmlOf(v)}</article></body>`)}"></iframe>`).join("");
  await page.goto(`${base}/blank`);
  await page.setContent(`<!doctype html><html><body>${frames}</body></html>`, { waitUntil: "load" });
  // what a reader does: hover, focus and click everything, submit what can be submitted
  for (const frame of page.frames().filter((f) => f.parentFrame() === page.mainFrame())) {
    await frame
      // evaluated in the page (no DOM types in this project's tsconfig)
      .evaluate(`(() => {
        for (const el of document.querySelectorAll("body *")) {
          for (const type of ["mouseover", "mouseenter", "focus"]) el.dispatchEvent(new Event(type));
          el.focus?.();
          const href = el.getAttribute("href") ?? "";
          if (el.tagName === "BUTTON" || el.tagName === "INPUT" || (el.tagName === "A" && !/^\\s*https?:/i.test(href))) el.click();
        }
      })()`)
      .catch(() => {}); // a frame that navigated away meanwhile
  }
  // timers, toggles, animations and refreshes get their turn (what fired is counted, not when)
  await page.waitForTimeout(1_000);
  const moved = page
    .frames()
    .filter((f) => f.parentFrame() === page.mainFrame() && f.url() !== "about:srcdoc")
    .map((f) => `${f.name()}: ${f.url()}`);
  return { ...observed, moved, frames: page };
}

describe.skipIf(missing !== null)(`display HTML in Chromium${missing ? ` (SKIPPED: ${missing})` : ""}`, () => {
  beforeAll(async () => {
    server = createServer((req, res) => {
      const m = /^\/img\/[A-Za-z0-9]+-(\d+)x(\d+)\.png$/.exec(req.url ?? "");
      if (m) {
        res.writeHead(200, { "content-type": "image/png" }).end(noisePng(Number(m[1]) * 7 + Number(m[2]), Number(m[1]), Number(m[2])));
        return;
      }
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end("<!doctype html><title>blank</title>");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it(`the corpus (${VECTORS.length} vectors) attacks when embedded raw: the harness sees scripts run and frames navigate`, async () => {
    const raw = await runCorpus((v) => v);
    await raw.frames.context().close();
    const fired = new Set(raw.hits);
    // not every vector works in a current Chromium (several target old browsers): enough of them do
    expect(fired.size).toBeGreaterThanOrEqual(20);
    expect(raw.moved.length).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it("through renderDisplayHtml no vector runs a script, opens a window or navigates", async () => {
    const safe = await runCorpus((v) => renderDisplayHtml(v, mirrorOf)!);
    // and what is left in the DOM carries no handler, script URL, script element or form
    const leftovers: string[] = [];
    for (const frame of safe.frames.frames().filter((f) => f.parentFrame() === safe.frames.mainFrame())) {
      leftovers.push(
        ...(await frame.evaluate<string[]>(`(() => {
          const bad = [];
          for (const el of document.querySelectorAll("article *")) {
            if (/^(SCRIPT|STYLE|FORM|INPUT|BUTTON|TEXTAREA|META|BASE|LINK|OBJECT|EMBED|SVG|MATH)$/i.test(el.tagName)) bad.push("<" + el.tagName + ">");
            for (const a of el.attributes) {
              if (a.name.startsWith("on") || a.name === "srcdoc" || a.name === "formaction") bad.push(el.tagName + " " + a.name);
              const v = a.value.replace(/[\\u0000-\\u0020]/g, "").toLowerCase();
              if (/^(javascript|vbscript):/.test(v) || (v.startsWith("data:") && !(el.tagName === "IMG" && v.startsWith("data:image/")))) bad.push(el.tagName + " " + a.name + "=" + a.value);
              if (a.name === "style" && /javascript|expression|url\\((?!["']?https?:)/i.test(a.value)) bad.push(el.tagName + " style=" + a.value);
            }
          }
          return bad;
        })()`)),
      );
    }
    await safe.frames.context().close();
    expect({ hits: safe.hits, popups: safe.popups, moved: safe.moved, leftovers }).toEqual({ hits: [], popups: 0, moved: [], leftovers: [] });
  }, 120_000);

  it("a WeChat article keeps its elements, layout, text and images (all loading from the mirror)", async () => {
    // before: the article as WeChat's own page script shows it (lazy images swapped in, pointing at the mirror)
    const before = ARTICLE.replace(MMBIZ, (u) => mirrorOf(u) ?? u).replace(/ data-src=/g, " src=");
    const after = renderDisplayHtml(ARTICLE, mirrorOf)!;
    expect(after).not.toMatch(/mmbiz\.qpic\.cn\/mmbiz_(png|jpg|gif)\/\w+-/); // every image from the mirror
    const context = await browser.newContext({ viewport: { width: 720, height: 4000 } });
    const page = await watchedPage(context, { hits: [], popups: 0 });
    const layout = async (html: string) => {
      await page.goto(`${base}/blank`);
      await page.setContent(`<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0"><article style="width:680px">${html}</article></body></html>`, { waitUntil: "load" });
      // lazy images do not hold the load event back
      await page.waitForFunction("Array.from(document.images).every((i) => i.complete)");
      return page.evaluate<{ elements: string[]; text: string; images: { src: string; loaded: boolean }[]; background: string }>(`(() => {
        const els = Array.from(document.querySelectorAll("article *"));
        return {
          elements: els.map((el) => {
            const r = el.getBoundingClientRect();
            return el.tagName + " " + Math.round(r.x) + "," + Math.round(r.y) + " " + Math.round(r.width) + "x" + Math.round(r.height);
          }),
          text: document.querySelector("article").textContent,
          images: Array.from(document.images).map((i) => ({ src: i.currentSrc, loaded: i.complete && i.naturalWidth > 0 })),
          background: getComputedStyle(Array.from(document.querySelectorAll("section")).find((s) => s.style.backgroundImage)).backgroundImage,
        };
      })()`);
    };
    const was = await layout(before);
    const is = await layout(after);
    await context.close();
    expect(is.images.length).toBe(4);
    expect(is.images.every((i) => i.loaded && i.src.startsWith(`${base}/img/`))).toBe(true);
    expect(is.background).toContain(`${base}/img/Banner04-640x180.png`);
    expect(is.text).toBe(was.text);
    expect(is.elements).toEqual(was.elements);
  }, 60_000);
});
