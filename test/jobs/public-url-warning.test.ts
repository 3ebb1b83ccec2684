// `mpsync worker` with media mirroring and neither PUBLIC_URL nor MEDIA_PUBLIC_BASE_URL says
// once, at start, that off-origin consumers will see broken images; with PUBLIC_URL it does not.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, SIM_DEFAULT_APP, type Simulator } from "../../src/simulator/index.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { childEnv, spawnMpsync } from "./harness.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
let sim: Simulator;
const mediaDir = mkdtempSync(join(tmpdir(), "mpsync-public-url-warning-"));

beforeAll(async () => {
  sim = await startSimulator({ apps: [{ appId: SIM_DEFAULT_APP.appId, secret: SIM_DEFAULT_APP.secret }], seed: { seed: 3, published: 2, materials: { image: 0, video: 0, voice: 0, news: 0 } } });
});
afterAll(async () => {
  await sim?.close();
  rmSync(mediaDir, { recursive: true, force: true });
});

/** The worker's output up to "worker consuming" and a moment after, then a clean stop. */
async function startOutput(extra: Record<string, string>): Promise<string> {
  // mirroring on, of a host nothing names (no download leaves the machine)
  const worker = spawnMpsync(["worker"], childEnv(db, redis, sim, { MEDIA_MIRROR: "true", MEDIA_SOURCE_HOSTS: "media.invalid", MEDIA_STORE_URL: `file:${mediaDir}`, ...extra }));
  await worker.waitFor(/worker consuming/);
  worker.proc.kill("SIGTERM");
  await worker.exited;
  return worker.output();
}

describe("the worker and root-relative mirror URLs", () => {
  it("warns once at start without PUBLIC_URL or MEDIA_PUBLIC_BASE_URL", async () => {
    const out = await startOutput({});
    expect(out.match(/PUBLIC_URL is not set/g)).toHaveLength(1);
  }, 60_000);

  it("says nothing with PUBLIC_URL", async () => {
    const out = await startOutput({ PUBLIC_URL: "https://sync.example.com" });
    expect(out).toMatch(/worker consuming/);
    expect(out).not.toMatch(/PUBLIC_URL is not set/);
  }, 60_000);
});
