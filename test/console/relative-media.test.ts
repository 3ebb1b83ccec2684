// The console's overview says when mirror URLs are root-relative (no PUBLIC_URL, no
// MEDIA_PUBLIC_BASE_URL): websites and feed readers on another origin would show broken images.
import type { FastifyInstance } from "fastify";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.ts";
import { RELATIVE_MEDIA_WARNING } from "../../src/config/public-url.ts";
import { startHttpServer } from "../../src/http/server.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createMetrics } from "../../src/metrics/registry.ts";
import { createReadStore } from "../../src/store/read-store.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const ADMIN_TOKEN = "relative-media-admin-token-0123";
const servers: FastifyInstance[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** The overview page as a logged-in operator sees it, on a server with these settings. */
async function overview(env: Record<string, string>): Promise<string> {
  const config = { ...loadConfig({ DATABASE_URL: db.url, ADMIN_TOKEN, ...env }), redisPrefix: `${redis.prefix}:${servers.length}` };
  config.http = { ...config.http, port: 0, host: "127.0.0.1" };
  const s = await startHttpServer({ config, reads: createReadStore(db.prisma), redis: redis.redis, logger: createLogger("silent"), metrics: createMetrics({ defaultMetrics: false }) });
  servers.push(s.app);
  const form = await fetch(`${s.url}/login`);
  const cookie = form.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const login = await fetch(`${s.url}/login`, { method: "POST", redirect: "manual", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ _csrf: csrf, token: ADMIN_TOKEN }) });
  const session = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ") || cookie;
  const page = await fetch(`${s.url}/`, { headers: { cookie: session } });
  expect(page.status).toBe(200);
  return page.text();
}

const WARNING_START = RELATIVE_MEDIA_WARNING.slice(0, 40);

describe("console overview and root-relative mirror URLs", () => {
  it("warns without PUBLIC_URL or MEDIA_PUBLIC_BASE_URL", async () => {
    expect(await overview({})).toContain(WARNING_START);
  });
  it("says nothing once PUBLIC_URL (or a CDN) is set, or when mirroring is off", async () => {
    expect(await overview({ PUBLIC_URL: "https://sync.example.com" })).not.toContain(WARNING_START);
    expect(await overview({ MEDIA_PUBLIC_BASE_URL: "https://cdn.example.com" })).not.toContain(WARNING_START);
    expect(await overview({ MEDIA_MIRROR: "false" })).not.toContain(WARNING_START);
  });
});
