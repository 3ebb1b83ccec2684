#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader: no build step between
// `npm ci` and a working `mpsync`, and never a stale build. The entry point itself is
// bin/mpsync.ts; the Docker image runs its compiled form, dist/bin/mpsync.js (`npm run build`).
import { register } from "tsx/esm/api";

register();
await import("./mpsync.ts");
