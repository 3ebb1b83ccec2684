// mpsync demo: a seeded simulator in this process, a full sync of every source into
// DATABASE_URL (migrated first), its images mirrored, a summary table and a sample query,
// then the operator console to see the articles in a browser (interactive terminals, or
// --console; until Ctrl-C). Safe to run twice: the second run finds the seeded content
// and the articles earlier push steps published unchanged (replayed into the new simulator).
import { randomBytes } from "node:crypto";
import type { Command } from "commander";
import type { AppConfig } from "../../config/config.ts";
import { startHttpServer } from "../../http/server.ts";
import { mediaConfigOf } from "../../media/service.ts";
import { mediaRetryOf } from "../../media/retry.ts";
import { createMetrics } from "../../metrics/registry.ts";
import type { Runtime } from "../../runtime.ts";
import type { CliContext } from "../context.ts";
import { runMediaPass } from "../inline-media.ts";
import { onStopSignal } from "../signals.ts";
import { DEFAULT_SCHEDULE } from "../../config/defaults.ts";
import { preflight } from "../preflight.ts";
import { startSimulator, SIM_DEFAULT_APP, type Simulator } from "../../simulator/index.ts";
import { createRuntime } from "../../runtime.ts";
import { runMany, syncTargets } from "../../sync/run-many.ts";
import type { RunResult } from "../../sync/types.ts";
import { migrateDatabase } from "../../store/migrations.ts";
import { demoPublishByPush } from "../push-demo.ts";

const SEED = { seed: 1, published: 300, maxNewsItems: 4, contentBytes: 1500, materials: { image: 60, video: 12, voice: 8, news: 25 } };

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")).join("\n");
}

const DEMO_PORT = 8080;
/**
 * The demo simulator's port. Fixed, because the image URLs in its content name it: on
 * another port a second demo run would find every article changed. Any free port when taken.
 */
const DEMO_SIMULATOR_PORT = 8088;

/** Serves the console (with a worker, so its resync buttons work) until SIGINT/SIGTERM. */
async function serveConsole(runtime: Runtime, ctx: CliContext): Promise<void> {
  const given = runtime.config.http.adminToken;
  const adminToken = given ?? randomBytes(18).toString("base64url");
  const worker = await (await ctx.jobs()).startWorker(runtime, { schedules: false });
  const base = { reads: runtime.reads, redis: runtime.redis, logger: runtime.logger, metrics: createMetrics({ defaultMetrics: false }), queue: worker.queue, consuming: worker.consuming, changeFeed: runtime.changeFeed, mediaRetry: mediaRetryOf(runtime, worker.requestMedia), pushes: runtime.pushes, enqueuePush: worker.enqueuePush };
  const withPort = (port: number): AppConfig => ({ ...runtime.config, http: { ...runtime.config.http, adminToken, port, host: process.env.HTTP_HOST || "127.0.0.1" } });
  const started = await startHttpServer({ ...base, config: withPort(runtime.config.http.port ?? DEMO_PORT) }).catch((e: unknown) => {
    if ((e as { code?: string }).code !== "EADDRINUSE") throw e;
    return startHttpServer({ ...base, config: withPort(0) }); // the usual port is taken: any free one
  });
  const url = started.url.replace("://127.0.0.1", "://localhost") + "/";
  const wanted = runtime.config.http.port ?? DEMO_PORT;
  if (new URL(started.url).port !== String(wanted)) {
    console.log(`note: port ${wanted} was taken, so the images in content_html (made for ${runtime.config.http.publicUrl}) do not load here; set HTTP_PORT to a free port and PUBLIC_URL to match`);
  }
  console.log(`\nconsole: ${url}  (log in with ${given ? "your ADMIN_TOKEN" : `the token ${adminToken}`}; Ctrl-C stops the demo)`);
  await new Promise<void>((resolve) => onStopSignal(() => resolve()));
  await started.app.close();
  await worker.shutdown(runtime.config.worker.shutdownTimeoutMs);
}

/**
 * The articles earlier demo runs' push steps published are in the database, but a new
 * simulator starts from its seed without them: publish them again, at their times, so
 * that the full sync finds them unchanged rather than deleted. The simulator's ids and
 * content follow its seed, so the replay stops at the first id that differs.
 */
async function replayEarlierPushes(runtime: Runtime, sim: Simulator): Promise<void> {
  const seededUntil = Math.max(0, ...sim.published().map((a) => a.update_time));
  const stored = await runtime.reads.latestArticles(SIM_DEFAULT_APP.appId, SEED.published + 10_000);
  const pushed = stored.filter((a) => a.updateTime && a.updateTime.getTime() / 1000 > seededUntil).reverse();
  for (const a of pushed) {
    const [replayed] = sim.publish(1, a.updateTime!);
    if (replayed?.article_id !== a.articleId) break;
  }
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command("demo")
    .description("start a seeded WeChat simulator, full-sync every source into DATABASE_URL, mirror its images, show the result and serve the console")
    .option("--console", "serve the console afterwards (default on an interactive terminal)")
    .option("--no-console", "exit after the summary")
    .action(async (flags: { console?: boolean }) => {
      const env = await preflight({ redis: true });
      const applied = await migrateDatabase(env.databaseUrl);
      if (applied.length) console.log(`applied ${applied.length} migration(s)`);
      // the simulator serves the articles' images itself, so the demo mirrors and shows them
      const simOptions = { apps: [{ appId: SIM_DEFAULT_APP.appId, secret: SIM_DEFAULT_APP.secret }], seed: SEED, media: { origin: "self" } };
      const sim = await startSimulator({ ...simOptions, port: DEMO_SIMULATOR_PORT }).catch((e: unknown) => {
        if ((e as { code?: string }).code !== "EADDRINUSE") throw e;
        return startSimulator({ ...simOptions, port: 0 });
      });
      const media = mediaConfigOf(env);
      // the console's address: content_html and the feeds get absolute image URLs, as a website needs them
      const publicUrl = env.http.publicUrl ?? `http://localhost:${env.http.port ?? DEMO_PORT}`;
      const config = {
        ...env,
        http: { ...env.http, publicUrl },
        logLevel: env.logLevel === "info" ? "warn" : env.logLevel,
        wechatBaseUrl: sim.url,
        // each demo simulator issues its own tokens: never reuse one cached by an earlier demo
        redisPrefix: `${env.redisPrefix}:demo:${Date.now()}`,
        // message push settings as an operator would enter them on WeChat's side (fresh each run)
        accounts: [{ appId: SIM_DEFAULT_APP.appId, appSecret: SIM_DEFAULT_APP.secret, tokenKind: "stable" as const, concurrency: 4, schedule: { ...DEFAULT_SCHEDULE }, push: { token: randomBytes(12).toString("hex"), aesKey: randomBytes(32).toString("base64").slice(0, 43) } }],
        media: { ...media, sourceHosts: [...media.sourceHosts, new URL(sim.url).host], publicBaseUrl: media.publicBaseUrl ?? `${publicUrl}/media` },
      };
      const runtime = createRuntime(config);
      try {
        console.log(`simulator at ${sim.url}: ${SEED.published} published articles, materials ${JSON.stringify(SEED.materials)}`);
        await replayEarlierPushes(runtime, sim);
        const results: RunResult[] = await runMany(runtime.engine, syncTargets(config.accounts), { mode: "full", trigger: "manual" });
        console.log(
          "\n" +
            table([
              ["source", "pages", "api calls", "inserted", "updated", "unchanged", "deleted", "ms"],
              ...results.map((r) => [r.source, r.pages, r.apiCalls, r.inserted, r.updated, r.unchanged, r.markedDeleted, r.durationMs].map(String)),
            ]),
        );
        const sample = await runtime.reads.latestArticles(SIM_DEFAULT_APP.appId, 5);
        console.log("\nlatest published articles:\n" + table([
          ["article_id", "update_time", "items", "first title"],
          ...sample.map((s) => [s.articleId, s.updateTime?.toISOString() ?? "", String(s.items), (s.firstTitle ?? "").slice(0, 40)]),
        ]));
        if (media.enabled) {
          console.log("");
          await runMediaPass(runtime, [SIM_DEFAULT_APP.appId], console.log);
        }
        // a new publish, heard of by message push rather than the next poll
        await demoPublishByPush(runtime, sim, ctx, SIM_DEFAULT_APP.appId, console.log);
        const serve = flags.console ?? (process.stdin.isTTY === true && process.stdout.isTTY === true);
        if (serve) await serveConsole(runtime, ctx);
        else console.log(`\nsee these articles with their images in a browser: npm run demo -- --console (serves the console at http://localhost:${DEMO_PORT}/)`);
      } finally {
        await runtime.close();
        await sim.close();
      }
    });
}
