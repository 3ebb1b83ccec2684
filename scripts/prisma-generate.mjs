// Runs `prisma generate` without Prisma's engine download. Generation uses WASM and
// never calls the schema engine, but the CLI insists on having one before it starts:
// pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing executable satisfies it.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  CHECKPOINT_DISABLE: "1",
};
const cli = path.join(root, "node_modules", "prisma", "build", "index.js");
const r = spawnSync(process.execPath, [cli, "generate", "--config", "prisma/prisma.config.ts"], {
  cwd: root,
  env,
  stdio: "inherit",
});
process.exit(r.status ?? 1);
