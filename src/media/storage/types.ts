// Where mirrored files live: a content-addressed object store (src/media/keys.ts names
// the objects). Adapters: a local folder (file:) and any S3-compatible bucket (s3://).
import type { Readable } from "node:stream";

export interface StoredObject {
  body: Readable;
  size: number;
  contentType: string;
}

export interface ObjectStore {
  /** a description without credentials, for logs and `mpsync media status` */
  readonly describe: string;
  /** writes the bytes under `key`; identical keys hold identical bytes, so a rewrite is harmless */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** null when the object does not exist */
  get(key: string): Promise<StoredObject | null>;
  close(): Promise<void>;
}
