// Every hop of a media download is checked: a listed CDN answering 302 to an unlisted
// 127.0.0.1 port, or to a listed name (no port) that resolves to 127.0.0.1, is refused
// before anything connects there, and nothing of the internal service is stored; a redirect
// within the listed host is followed; a redirect loop stops after a few hops.
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadMediaConfig } from "../../src/config/media.ts";
import { syncInline } from "../../src/cli/commands/sync.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import type { Simulator } from "../../src/simulator/index.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { appConfig, assertConverged, FAST_RETRY, simulator } from "../sync/harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const dir = await mkdtemp(path.join(tmpdir(), "mpsync-media-redirects-"));
const SECRET = Buffer.from("\x89PNG internal service answer: secret");

let sim: Simulator;
let runtime: Runtime;
let cdn: Server;
let internal: Server;
let internalHits = 0;
let cdnOrigin = "";
let urls: Record<"offList" | "dnsToLoopback" | "sameHost" | "loop", string>;
const pathOf = (u: string): string => new URL(u).pathname + new URL(u).search;

async function listen(s: Server): Promise<number> {
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return (s.address() as AddressInfo).port;
}

beforeAll(async () => {
  internal = createServer((_req, res) => {
    internalHits++;
    res.writeHead(200, { "content-type": "image/png", "content-length": SECRET.length });
    res.end(SECRET);
  });
  const internalPort = await listen(internal);
  cdn = createServer((req, res) => {
    const url = req.url ?? "/";
    const redirect = (to: string): void => void res.writeHead(302, { location: to }).end();
    if (url === pathOf(urls.offList)) return redirect(`http://127.0.0.1:${internalPort}/internal`);
    if (url === pathOf(urls.dnsToLoopback)) return redirect(`http://localhost:${internalPort}/internal`);
    if (url === pathOf(urls.loop)) return redirect(url);
    if (url === pathOf(urls.sameHost)) return redirect(`/moved${url}`);
    const got = sim.mediaBytes(cdnOrigin + url.replace(/^\/moved/, ""));
    res.writeHead(200, { "content-type": got.contentType, "content-length": got.bytes.length }).end(got.bytes);
  });
  cdnOrigin = `http://127.0.0.1:${await listen(cdn)}`;
  sim = await simulator({ media: { origin: cdnOrigin }, seed: { seed: 31, published: 8, maxNewsItems: 1, contentBytes: 500, materials: { image: 2, video: 0, voice: 0, news: 0 } } });
  const thumbs = [...new Set(sim.published().flatMap((a) => a.news_item.filter((n) => !n.is_deleted).map((n) => n.thumb_url)))];
  const [offList, dnsToLoopback, sameHost, loop] = thumbs;
  urls = { offList: offList!, dnsToLoopback: dnsToLoopback!, sameHost: sameHost!, loop: loop! };
  const problems: string[] = [];
  // the CDN's exact 127.0.0.1 port is listed; "localhost" is listed without a port (any port), so only its address can refuse it
  const media = loadMediaConfig({ MEDIA_STORE_URL: `file:${dir}`, MEDIA_SOURCE_HOSTS: `${new URL(cdnOrigin).host},localhost`, MEDIA_CONCURRENCY: "2" }, problems);
  expect(problems).toEqual([]);
  runtime = createRuntime({ ...appConfig(db, redis, sim.url), media }, { logger: createLogger("silent"), retry: FAST_RETRY, tokens: { pollMs: 5 } });
});

afterAll(async () => {
  await runtime?.close();
  await sim?.close();
  for (const s of [cdn, internal]) {
    s?.closeAllConnections();
    await new Promise((r) => s?.close(r));
  }
  await rm(dir, { recursive: true, force: true });
});

async function asset(url: string): Promise<{ state: string; last_error: string | null; next_attempt_at: Date | null; content_hash: string | null }> {
  return (await db.sql.query(`SELECT state, last_error, next_attempt_at, content_hash FROM media_assets WHERE source_url = $1`, [url])).rows[0];
}

describe("redirects", () => {
  it("the content sync is exact; the internal service is never asked and nothing of it is stored", async () => {
    const lines: string[] = [];
    const results = await syncInline(runtime, { full: true, inline: true }, (l) => lines.push(l));
    expect(results.every((r) => r.status === "succeeded")).toBe(true);
    await assertConverged(db.sql, sim, (a, b) => expect(a).toEqual(b));
    expect(internalHits).toBe(0);
    const secretHash = createHash("sha256").update(SECRET).digest("hex");
    expect((await db.sql.query(`SELECT count(*)::int AS n FROM media_assets WHERE content_hash = $1`, [secretHash])).rows[0].n).toBe(0);
    for (const f of await readdir(dir, { recursive: true, withFileTypes: true })) {
      if (f.isFile()) expect((await readFile(path.join(f.parentPath, f.name))).equals(SECRET)).toBe(false);
    }
  });

  it("a 302 to a host not on MEDIA_SOURCE_HOSTS is refused and recorded, not retried", async () => {
    const a = await asset(urls.offList);
    expect(a).toMatchObject({ state: "failed", next_attempt_at: null, content_hash: null });
    expect(a.last_error).toContain("not on MEDIA_SOURCE_HOSTS");
  });

  it("a 302 to a listed name that resolves to a loopback address is refused", async () => {
    const a = await asset(urls.dnsToLoopback);
    expect(a).toMatchObject({ state: "failed", next_attempt_at: null, content_hash: null });
    expect(a.last_error).toContain("loopback, private or link-local");
  });

  it("a redirect within the listed host is followed; a loop stops after a few hops", async () => {
    const same = await asset(urls.sameHost);
    expect(same.state).toBe("stored");
    expect(same.content_hash).toBe(createHash("sha256").update(sim.mediaBytes(urls.sameHost).bytes).digest("hex"));
    const loop = await asset(urls.loop);
    expect(loop).toMatchObject({ state: "failed", next_attempt_at: null });
    expect(loop.last_error).toContain("redirects");
  });
});
