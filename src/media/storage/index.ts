// The object store MEDIA_STORE_URL names.
import type { MediaStoreLocation } from "../../config/media.ts";
import { createFileStore } from "./file-store.ts";
import { createS3Store } from "./s3-store.ts";
import type { ObjectStore } from "./types.ts";

export type { ObjectStore, StoredObject } from "./types.ts";

export function createObjectStore(location: MediaStoreLocation, opts: { s3ForcePathStyle?: boolean } = {}): ObjectStore {
  return location.kind === "file"
    ? createFileStore(location.root)
    : createS3Store({ bucket: location.bucket, prefix: location.prefix, forcePathStyle: opts.s3ForcePathStyle ?? false });
}
