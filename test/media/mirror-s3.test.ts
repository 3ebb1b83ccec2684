// The done-when scenario with an S3 store: a real S3-protocol server (s3rver) on a local
// port; endpoint, region, credentials and path-style through the SDK's conventions and
// MEDIA_S3_FORCE_PATH_STYLE, in the CLI child processes and in this process's HTTP server.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { afterAll, describe } from "vitest";
import { createTestDatabase, createTestRedis } from "../helpers/db.ts";
import { mirrorScenario } from "./e2e.ts";

const db = await createTestDatabase();
const redis = createTestRedis();
const dir = await mkdtemp(path.join(tmpdir(), "mpsync-s3rver-"));
const BUCKET = "mpsync-media";
const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: dir, configureBuckets: [{ name: BUCKET, configs: [] }] });
const { port } = (await server.run()) as { port: number };
const s3Env = {
  AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`,
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "S3RVER",
  AWS_SECRET_ACCESS_KEY: "S3RVER",
  MEDIA_S3_FORCE_PATH_STYLE: "true",
};
// the read API's /media route in this process reads the bucket through the same conventions
Object.assign(process.env, s3Env);
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe("media mirror, S3 store", () => {
  mirrorScenario({
    db,
    redis,
    storeEnv: () => ({ ...s3Env, MEDIA_STORE_URL: `s3://${BUCKET}/wechat/media` }),
    otherStoreEnv: () => ({ ...s3Env, MEDIA_STORE_URL: `s3://${BUCKET}/other/media` }),
    countObjects: async () => {
      const client = new S3Client({ forcePathStyle: true });
      let n = 0;
      let token: string | undefined;
      do {
        const r = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "wechat/media/", ContinuationToken: token }));
        n += r.KeyCount ?? 0;
        token = r.NextContinuationToken;
      } while (token);
      client.destroy();
      return n;
    },
  });
});
