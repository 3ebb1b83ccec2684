// A CDN that cannot be reached is noticed once per pass, not retried per asset: a name
// under .invalid, and a local host that accepts connections and never answers. The content
// sync is exact and succeeds, the pass says which host and why in one line, the host's
// assets stay due with no attempt counted, and the next pass once the host answers
// mirrors them all at once.
import { createServer, type Server } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { loadMediaConfig } from "../../src/config/media.ts";
import { syncInline } from "../../src/cli/commands/sync.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createMediaService, type MediaService } from "../../src/media/service.ts";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import type { Simulator } from "../../src/simulator/index.ts";
import { createTestRedis, openTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { appConfig, assertConverged, FAST_RETRY, simulator } from "../sync/harness.ts";

const redis = createTestRedis();
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
});

const CONCURRENCY = 4;
const HOST_FAILURES = 3;

interface Scenario {
  db: TestDatabase;
  sim: Simulator;
  runtime: Runtime;
  media: MediaService;
}

async function scenario(origin: string, sourceHost: string): Promise<Scenario> {
  const db = await openTestDatabase();
  cleanup.push(db.drop);
  const dir = await mkdtemp(path.join(tmpdir(), "mpsync-media-breaker-"));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const sim = await simulator({ media: { origin }, seed: { seed: 21, published: 15, maxNewsItems: 2, contentBytes: 900, materials: { image: 5, video: 0, voice: 0, news: 0 } } });
  cleanup.push(() => sim.close());
  const problems: string[] = [];
  const mediaConfig = loadMediaConfig(
    {
      MEDIA_STORE_URL: `file:${dir}`,
      MEDIA_SOURCE_HOSTS: sourceHost,
      MEDIA_CONCURRENCY: String(CONCURRENCY),
      MEDIA_HOST_FAILURES: String(HOST_FAILURES),
      MEDIA_CONNECT_TIMEOUT_MS: "300",
      MEDIA_TIMEOUT_MS: "400",
    },
    problems,
  );
  expect(problems).toEqual([]);
  const config = { ...appConfig(db, redis, sim.url), media: mediaConfig };
  const runtime = createRuntime(config, { logger: createLogger("silent"), retry: FAST_RETRY, tokens: { pollMs: 5 } });
  cleanup.push(() => runtime.close());
  const media = createMediaService({ config, prisma: runtime.prisma, logger: runtime.logger, retry: { minDelayMs: 5 } });
  cleanup.push(() => media.close());
  return { db, sim, runtime, media };
}

async function assets(db: TestDatabase): Promise<{ state: string; attempts: number; last_error: string | null }[]> {
  return (await db.sql.query(`SELECT state, attempts, last_error FROM media_assets ORDER BY id`)).rows;
}

/** sync --full --inline: content exact, every run succeeded; returns the printed lines. */
async function syncAll(s: Scenario): Promise<string[]> {
  const lines: string[] = [];
  const results = await syncInline(s.runtime, { full: true, inline: true }, (l) => lines.push(...l.split("\n")));
  expect(results.every((r) => r.status === "succeeded")).toBe(true);
  await assertConverged(s.db.sql, s.sim, (a, b) => expect(a).toEqual(b));
  return lines;
}

describe("a CDN whose name does not resolve", () => {
  it("trips the host's breaker: one line, every asset still due with no attempt counted", async () => {
    const host = "cdn.mpsync-test.invalid";
    const s = await scenario(`http://${host}`, host);
    const lines = await syncAll(s);
    const all = await assets(s.db);
    expect(all.length).toBeGreaterThan(20);
    const breakerLine = lines.filter((l) => l.includes(`host ${host} not reachable`));
    expect(breakerLine).toEqual([`media: host ${host} not reachable (name does not resolve, ${HOST_FAILURES} failures in a row): ${all.length} left for a later pass`]);
    for (const a of all) expect(a).toMatchObject({ state: "pending", attempts: 0 });
    // only the downloads in flight when it tripped were tried at all
    expect(all.filter((a) => a.last_error !== null).length).toBeLessThanOrEqual(HOST_FAILURES + CONCURRENCY);
  });
});

describe("a CDN that refuses connections", () => {
  it("trips the breaker: one line, every asset still due", async () => {
    // a port nothing listens on any more
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const origin = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((r) => closed.close(r));
    const s = await scenario(origin, new URL(origin).host);
    const lines = await syncAll(s);
    const all = await assets(s.db);
    expect(lines).toContain(`media: host ${new URL(origin).host} not reachable (connection refused, ${HOST_FAILURES} failures in a row): ${all.length} left for a later pass`);
    for (const a of all) expect(a).toMatchObject({ state: "pending", attempts: 0 });
  });
});

describe("a CDN that accepts connections and never answers", () => {
  let server: Server;
  let answering = false;
  let requests = 0;
  let s: Scenario;

  it("trips the breaker after a few requests; the assets stay due", async () => {
    server = createServer((req, res) => {
      requests++;
      if (!answering) return; // accepted, never answered
      const got = s.sim.mediaBytes(`http://127.0.0.1:${(server.address() as AddressInfo).port}${req.url}`);
      res.writeHead(200, { "content-type": got.contentType, "content-length": got.bytes.length });
      res.end(got.bytes);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    cleanup.push(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    s = await scenario(origin, new URL(origin).host);
    const lines = await syncAll(s);
    const all = await assets(s.db);
    expect(all.length).toBeGreaterThan(20);
    // the lanes in flight when it tripped, each asked once; no in-pass retries after that
    expect(requests).toBeGreaterThanOrEqual(HOST_FAILURES);
    expect(requests).toBeLessThanOrEqual(HOST_FAILURES + CONCURRENCY);
    expect(lines).toContain(`media: host ${new URL(origin).host} not reachable (no response, ${HOST_FAILURES} failures in a row): ${all.length} left for a later pass`);
    for (const a of all) expect(a).toMatchObject({ state: "pending", attempts: 0 });
  });

  it("the next pass once the host answers mirrors every asset at once", async () => {
    answering = true;
    const r = await s.media.mirror.pass();
    expect(r.hostsDown).toEqual([]);
    expect(r.failed + r.deferred).toBe(0);
    const all = await assets(s.db);
    for (const a of all) expect(a).toMatchObject({ state: "stored", attempts: 1, last_error: null });
    const { rows } = await s.db.sql.query(`SELECT count(*)::int AS n FROM published_news_items WHERE NOT is_deleted AND thumb_mirror_url IS NULL`);
    expect(rows[0].n).toBe(0);
  });
});
