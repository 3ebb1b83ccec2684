// Any S3-compatible bucket (AWS S3, Tencent COS, Alibaba OSS, Cloudflare R2, MinIO):
// MEDIA_STORE_URL=s3://bucket/prefix. Endpoint, region and credentials come from the
// SDK's own conventions (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, AWS_REGION, the default
// credential chain: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles, roles);
// MEDIA_S3_FORCE_PATH_STYLE=true for stores that need path-style addressing.
import type { S3Client } from "@aws-sdk/client-s3";
import { Readable } from "node:stream";
import { rangeHeader, resolveRange } from "../byte-range.ts";
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

type Sdk = typeof import("@aws-sdk/client-s3");

export function createS3Store(o: S3StoreOptions): ObjectStore {
  // The SDK (~5 MB of RSS) is loaded on the first object read or written: a process with
  // a file store, or one that never touches the bucket, never holds it.
  let connected: Promise<{ sdk: Sdk; client: S3Client }> | undefined;
  const connect = () => (connected ??= import("@aws-sdk/client-s3").then((sdk) => ({ sdk, client: new sdk.S3Client({ forcePathStyle: o.forcePathStyle, ...o.client }) })));
  const objectKey = (key: string): string => (o.prefix ? `${o.prefix}/${key}` : key);
  return {
    describe: `s3://${o.bucket}${o.prefix ? `/${o.prefix}` : ""}`,
    async put(key, bytes, contentType) {
      const { sdk, client } = await connect();
      await client.send(
        new sdk.PutObjectCommand({ Bucket: o.bucket, Key: objectKey(key), Body: bytes, ContentType: contentType, CacheControl: IMMUTABLE_CACHE_CONTROL }),
      );
    },
    async get(key, range): Promise<StoredObject | null> {
      const { sdk, client } = await connect();
      try {
        // a suffix range is made explicit first: not every S3-compatible store reads "bytes=-n" right (s3rver does not)
        if (range && "suffix" in range) {
          const head = await client.send(new sdk.HeadObjectCommand({ Bucket: o.bucket, Key: objectKey(key) }));
          const r = resolveRange(range, head.ContentLength ?? 0);
          if (!r) return { body: Readable.from([]), size: head.ContentLength ?? 0, contentType: head.ContentType ?? "application/octet-stream", range: "unsatisfiable" };
          range = { start: r.start, end: r.end };
        }
        const r = await client.send(new sdk.GetObjectCommand({ Bucket: o.bucket, Key: objectKey(key), Range: range ? rangeHeader(range) : undefined }));
        if (!r.Body) return null;
        const contentType = r.ContentType ?? "application/octet-stream";
        // "bytes 0-99/1234": the part sent and the whole size
        const m = range ? /^bytes (\d+)-(\d+)\/(\d+)$/.exec(r.ContentRange ?? "") : null;
        if (m) return { body: r.Body as Readable, size: Number(m[3]), contentType, range: { start: Number(m[1]), end: Number(m[2]) } };
        return { body: r.Body as Readable, size: r.ContentLength ?? 0, contentType };
      } catch (e) {
        if (range && e instanceof sdk.S3ServiceException && e.$metadata.httpStatusCode === 416) {
          const head = await client.send(new sdk.HeadObjectCommand({ Bucket: o.bucket, Key: objectKey(key) }));
          return { body: Readable.from([]), size: head.ContentLength ?? 0, contentType: head.ContentType ?? "application/octet-stream", range: "unsatisfiable" };
        }
        if (e instanceof sdk.NoSuchKey || (e instanceof sdk.S3ServiceException && e.$metadata.httpStatusCode === 404)) return null;
        throw e;
      }
    },
    async close() {
      await connected?.then((c) => c.client.destroy(), () => {});
    },
  };
}
