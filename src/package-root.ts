// Where the package's own files (package.json, prisma/) are. A module's place differs
// between the sources (src/…) and the compiled build (dist/src/…), so the root is the
// nearest folder above this file that holds package.json, not a fixed number of "..".
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const PACKAGE_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));
