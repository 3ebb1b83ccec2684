// The entry point above both src/ and jobs/: it hands the CLI the job queue (src/ never
// imports jobs/), loaded on first use. Compiled to dist/bin/mpsync.js by `npm run build`
// (what the Docker image runs); bin/mpsync.js runs it from source through tsx.
import { runCli } from "../src/cli.ts";

await runCli(process.argv, { jobs: async () => (await import("../jobs/job-queue.ts")).jobs });
