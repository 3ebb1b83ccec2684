// Where mirrored files live: a content-addressed object store (src/media/keys.ts names
// the objects). Adapters: a local folder (file:) and any S3-compatible bucket (s3://).
import type { Readable } from "node:stream";
import type { RangeSpec } from "../byte-range.ts";

export interface StoredObject {
  body: Readable;
  /** the whole object's size */
  size: number;
  contentType: string;
  /** asked for a range: the inclusive positions `body` holds; "unsatisfiable" when the range lies beyond the object */
  range?: { start: number; end: number } | "unsatisfiable";
}

export interface ObjectStore {
  /** a description without credentials, for logs and `mpsync media status` */
  readonly describe: string;
  /** writes the bytes under `key`; identical keys hold identical bytes, so a rewrite is harmless */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** null when the object does not exist; `range`: only those bytes (audio and video seeking) */
  get(key: string, range?: RangeSpec): Promise<StoredObject | null>;
  close(): Promise<void>;
}
