// mpsync worker: consume the job queue (and serve HTTP when HTTP_PORT is set) until
// SIGTERM/SIGINT, then stop within WORKER_SHUTDOWN_TIMEOUT_MS with checkpoints saved.
import type { Command } from "commander";
import { loadConfig, plannerSettings } from "../../config/config.ts";
import { quotaReport } from "../../status/quota.ts";
import { createMetrics } from "../../metrics/registry.ts";
import { createRuntime } from "../../runtime.ts";
import type { CliContext } from "../context.ts";
import { preflight } from "../preflight.ts";
import { onStopSignal } from "../signals.ts";
import { mediaRetryOf } from "../../media/retry.ts";
import { RELATIVE_MEDIA_WARNING } from "../../config/public-url.ts";

export function register(program: Command, ctx: CliContext): void {
  program
    .command("worker")
    .description("run scheduled and requested syncs from the job queue; serves HTTP when HTTP_PORT is set")
    .action(async () => {
      const config = await preflight({ accounts: true, redis: true, database: true });
      // the held-deletions gauge reads Postgres at scrape time, when the runtime exists
      const metrics = createMetrics({
        heldDeletions: () => runtime.reads.heldDeletions({ appIds: config.accounts.map((a) => a.appId) }),
        quotas: () => quotaReport(runtime.redis, config.redisPrefix, config.accounts, plannerSettings(config).quotaReservePercent),
      });
      const runtime = createRuntime(config, { observer: metrics.observer });
      const log = runtime.logger.child({ component: "worker" });
      const signal = new Promise<NodeJS.Signals>((resolve) => onStopSignal(resolve)); // listen before starting: a signal during start-up still stops cleanly
      // the accounts file is read again within a minute of a change, and at once on SIGHUP
      const loadAccounts = () => loadConfig(process.env, { requireAccounts: true }).accounts;
      const worker = await (await ctx.jobs()).startWorker(runtime, { metrics, loadAccounts });
      process.on("SIGHUP", () => {
        worker.reload().then(
          (r) => log.info({ changed: r.changed }, "SIGHUP: accounts read again"),
          (e: unknown) => log.warn({ err: e }, "SIGHUP: accounts not reloaded; the previous ones stay in effect"),
        );
      });
      // the HTTP layer (fastify, the console, bull-board) is loaded only when it is served
      const http =
        config.http.port !== undefined
          ? await (await import("../../http/server.ts")).startHttpServer({ config, reads: runtime.reads, changeFeed: runtime.changeFeed, redis: runtime.redis, logger: runtime.logger, metrics, queue: worker.queue, consuming: worker.consuming, mediaRetry: mediaRetryOf(runtime, worker.requestMedia), pushes: runtime.pushes, enqueuePush: worker.enqueuePush })
          : undefined;
      // before "worker consuming": whoever watches for that line has seen this one
      if (config.media?.enabled && config.media.publicBaseUrl === undefined) log.warn(RELATIVE_MEDIA_WARNING);
      log.info({ concurrency: config.worker.concurrency, accounts: config.accounts.length, http: http?.url ?? null }, "worker consuming");

      const received = await signal;
      const bound = config.worker.shutdownTimeoutMs;
      // the hard bound: whatever still hangs, the process ends; stalled jobs resume elsewhere
      setTimeout(() => {
        log.error({ timeoutMs: bound }, "shutdown exceeded its bound; exiting");
        process.exit(1);
      }, bound).unref();
      log.info({ signal: received }, "shutting down: finishing the current page of each running sync");
      const { timedOut } = await worker.shutdown(Math.max(500, bound - 1_000));
      await http?.app.close().catch(() => {});
      await runtime.close();
      log.info({ timedOut }, "worker stopped");
      process.exit(timedOut ? 1 : 0);
    });
}
