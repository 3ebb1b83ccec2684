// /media/<key> answers byte ranges (206, Content-Range; 416 beyond the end), so browsers
// can seek in audio and video; both stores (a folder, and S3 through s3rver) read only the
// bytes asked for.
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { loadConfig } from "../../src/config/config.ts";
import { buildHttpServer } from "../../src/http/server.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { storageKey } from "../../src/media/keys.ts";
import { createFileStore } from "../../src/media/storage/file-store.ts";
import { createS3Store } from "../../src/media/storage/s3-store.ts";
import type { ObjectStore } from "../../src/media/storage/types.ts";
import { createMetrics } from "../../src/metrics/registry.ts";
import { createRedis } from "../../src/redis/connection.ts";
import { createReadStore } from "../../src/store/read-store.ts";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const dir = await mkdtemp(path.join(tmpdir(), "mpsync-media-range-"));
const s3dir = await mkdtemp(path.join(tmpdir(), "mpsync-media-range-s3-"));
const BYTES = randomBytes(10_000);
const KEY = storageKey(createHash("sha256").update(BYTES).digest("hex"), "image/png");
const BUCKET = "mpsync-range";
const s3server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: s3dir, configureBuckets: [{ name: BUCKET, configs: [] }] });
const { port } = (await s3server.run()) as { port: number };

const stores: Record<string, ObjectStore> = {
  file: createFileStore(dir),
  s3: createS3Store({ bucket: BUCKET, prefix: "m", forcePathStyle: true, client: { endpoint: `http://127.0.0.1:${port}`, region: "us-east-1", credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } } }),
};
let app: FastifyInstance;

beforeAll(async () => {
  for (const s of Object.values(stores)) await s.put(KEY, BYTES, "image/png");
  const config = loadConfig({ DATABASE_URL: db.url, REDIS_URL: redis.url, MPSYNC_REDIS_PREFIX: redis.prefix, MEDIA_STORE_URL: `file:${dir}`, LOG_LEVEL: "silent" });
  const r = createRedis(config.redisUrl);
  app = await buildHttpServer({ config, reads: createReadStore(db.prisma), redis: r, logger: createLogger("silent"), metrics: createMetrics({ defaultMetrics: false }) });
  app.addHook("onClose", async () => r.disconnect());
});

afterAll(async () => {
  await app?.close();
  for (const s of Object.values(stores)) await s.close();
  await s3server.close();
  await rm(dir, { recursive: true, force: true });
  await rm(s3dir, { recursive: true, force: true });
});

async function read(body: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

describe("byte ranges", () => {
  for (const name of ["file", "s3"]) {
    it(`the ${name} store reads only the range asked for`, async () => {
      const store = stores[name]!;
      const mid = await store.get(KEY, { start: 100, end: 199 });
      expect(mid).toMatchObject({ size: BYTES.length, range: { start: 100, end: 199 } });
      expect((await read(mid!.body)).equals(BYTES.subarray(100, 200))).toBe(true);
      const tail = await store.get(KEY, { suffix: 10 });
      expect(tail).toMatchObject({ size: BYTES.length, range: { start: BYTES.length - 10, end: BYTES.length - 1 } });
      expect((await read(tail!.body)).equals(BYTES.subarray(-10))).toBe(true);
      const beyond = await store.get(KEY, { start: BYTES.length, end: null });
      expect(beyond).toMatchObject({ size: BYTES.length, range: "unsatisfiable" });
      beyond!.body.destroy();
    });
  }

  it("/media/<key> answers 206 with the bytes asked for, 416 beyond the end, 200 for a stale If-Range", async () => {
    const whole = await app.inject({ method: "GET", url: `/media/${KEY}` });
    expect(whole.statusCode).toBe(200);
    expect(whole.headers["accept-ranges"]).toBe("bytes");
    expect(whole.rawPayload.equals(BYTES)).toBe(true);

    const part = await app.inject({ method: "GET", url: `/media/${KEY}`, headers: { range: "bytes=1000-1999" } });
    expect(part.statusCode).toBe(206);
    expect(part.headers["content-range"]).toBe(`bytes 1000-1999/${BYTES.length}`);
    expect(part.headers["content-length"]).toBe("1000");
    expect(part.headers["content-type"]).toBe("image/png");
    expect(part.rawPayload.equals(BYTES.subarray(1000, 2000))).toBe(true);

    const open = await app.inject({ method: "GET", url: `/media/${KEY}`, headers: { range: "bytes=9990-" } });
    expect(open.statusCode).toBe(206);
    expect(open.rawPayload.equals(BYTES.subarray(9990))).toBe(true);

    const beyond = await app.inject({ method: "GET", url: `/media/${KEY}`, headers: { range: `bytes=${BYTES.length}-` } });
    expect(beyond.statusCode).toBe(416);
    expect(beyond.headers["content-range"]).toBe(`bytes */${BYTES.length}`);

    const stale = await app.inject({ method: "GET", url: `/media/${KEY}`, headers: { range: "bytes=0-9", "if-range": '"not-this-object"' } });
    expect(stale.statusCode).toBe(200);
    expect(stale.rawPayload.equals(BYTES)).toBe(true);

    const several = await app.inject({ method: "GET", url: `/media/${KEY}`, headers: { range: "bytes=0-9,20-29" } });
    expect(several.statusCode).toBe(200);
  });
});
