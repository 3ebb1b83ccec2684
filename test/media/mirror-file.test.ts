// The done-when scenario with the embedded default store: a local folder (file:<path>).
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe } from "vitest";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { mirrorScenario } from "./e2e.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const dir = await mkdtemp(path.join(tmpdir(), "mpsync-media-"));
const otherDir = await mkdtemp(path.join(tmpdir(), "mpsync-media-other-"));
afterAll(() => Promise.all([dir, otherDir].map((d) => rm(d, { recursive: true, force: true }))));

describe("media mirror, file store", () => {
  mirrorScenario({
    db,
    redis,
    storeEnv: () => ({ MEDIA_STORE_URL: `file:${dir}` }),
    otherStoreEnv: () => ({ MEDIA_STORE_URL: `file:${otherDir}` }),
    countObjects: async () => (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length,
  });
});
