#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader: no build step between
// `npm ci` and a working `mpsync`. The entry point is the one place above both src/ and
// jobs/: it hands the CLI the job queue (src/ never imports jobs/), loaded on first use.
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("../src/cli.ts");
await runCli(process.argv, { jobs: async () => (await import("../jobs/job-queue.ts")).jobs });
