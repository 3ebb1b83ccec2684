// Any S3-compatible bucket (AWS S3, Tencent COS, Alibaba OSS, Cloudflare R2, MinIO):
// MEDIA_STORE_URL=s3://bucket/prefix. Endpoint, region and credentials come from the
// SDK's own conventions (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, AWS_REGION, the default
// credential chain: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles, roles);
// MEDIA_S3_FORCE_PATH_STYLE=true for stores that need path-style addressing.
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import type { Readable } from "node:stream";
import type { ObjectStore, StoredObject } from "./types.ts";

export interface S3StoreOptions {
  bucket: string;
  prefix: string;
  forcePathStyle: boolean;
  /** tests: an explicit client configuration (endpoint, credentials) */
  client?: ConstructorParameters<typeof S3Client>[0];
}

/** Objects are immutable (content-addressed): a CDN in front of the bucket may cache them forever. */
export const IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable";

export function createS3Store(o: S3StoreOptions): ObjectStore {
  const client = new S3Client({ forcePathStyle: o.forcePathStyle, ...o.client });
  const objectKey = (key: string): string => (o.prefix ? `${o.prefix}/${key}` : key);
  return {
    describe: `s3://${o.bucket}${o.prefix ? `/${o.prefix}` : ""}`,
    async put(key, bytes, contentType) {
      await client.send(
        new PutObjectCommand({ Bucket: o.bucket, Key: objectKey(key), Body: bytes, ContentType: contentType, CacheControl: IMMUTABLE_CACHE_CONTROL }),
      );
    },
    async get(key): Promise<StoredObject | null> {
      try {
        const r = await client.send(new GetObjectCommand({ Bucket: o.bucket, Key: objectKey(key) }));
        if (!r.Body) return null;
        return { body: r.Body as Readable, size: r.ContentLength ?? 0, contentType: r.ContentType ?? "application/octet-stream" };
      } catch (e) {
        if (e instanceof NoSuchKey || (e instanceof S3ServiceException && e.$metadata.httpStatusCode === 404)) return null;
        throw e;
      }
    },
    async close() {
      client.destroy();
    },
  };
}
