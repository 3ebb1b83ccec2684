// The embedded default store: a local folder (MEDIA_STORE_URL=file:<path>). Objects are
// written to a temporary name and renamed, so a reader never sees a partial file.
import { createReadStream } from "node:fs";
import { mkdir, rename, stat, writeFile, rm } from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { resolveRange } from "../byte-range.ts";
import { contentTypeOfKey } from "../keys.ts";
import type { ObjectStore, StoredObject } from "./types.ts";

export function createFileStore(root: string): ObjectStore {
  const fileOf = (key: string): string => path.join(root, ...key.split("/"));
  return {
    describe: `file:${root}`,
    async put(key, bytes) {
      const file = fileOf(key);
      await mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
      try {
        await writeFile(tmp, bytes);
        await rename(tmp, file);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
    },
    async get(key, range): Promise<StoredObject | null> {
      const file = fileOf(key);
      try {
        const s = await stat(file);
        if (!s.isFile()) return null;
        const contentType = contentTypeOfKey(key);
        if (range) {
          const r = resolveRange(range, s.size);
          if (!r) return { body: Readable.from([]), size: s.size, contentType, range: "unsatisfiable" };
          return { body: createReadStream(file, r), size: s.size, contentType, range: r };
        }
        return { body: createReadStream(file), size: s.size, contentType };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw e;
      }
    },
    async close() {},
  };
}
