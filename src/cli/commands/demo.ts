// mpsync demo: a seeded simulator in this process, a full sync of every source into
// DATABASE_URL (migrated first), a summary table and a sample query. Safe to run twice:
// the second run finds everything unchanged.
import type { Command } from "commander";
import { DEFAULT_SCHEDULE } from "../../config/defaults.ts";
import { preflight } from "../preflight.ts";
import { startSimulator, SIM_DEFAULT_APP } from "../../simulator/index.ts";
import { createRuntime } from "../../runtime.ts";
import { runMany, syncTargets } from "../../sync/run-many.ts";
import type { RunResult } from "../../sync/types.ts";
import { migrateDatabase } from "../../store/migrations.ts";

const SEED = { seed: 1, published: 300, maxNewsItems: 4, contentBytes: 1500, materials: { image: 60, video: 12, voice: 8, news: 25 } };

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")).join("\n");
}

export function register(program: Command): void {
  program
    .command("demo")
    .description("start a seeded WeChat simulator, full-sync every source into DATABASE_URL and show the result")
    .action(async () => {
      const env = await preflight({ redis: true });
      const applied = await migrateDatabase(env.databaseUrl);
      if (applied.length) console.log(`applied ${applied.length} migration(s)`);
      const sim = await startSimulator({ apps: [{ appId: SIM_DEFAULT_APP.appId, secret: SIM_DEFAULT_APP.secret }], seed: SEED });
      const config = {
        ...env,
        logLevel: env.logLevel === "info" ? "warn" : env.logLevel,
        wechatBaseUrl: sim.url,
        // each demo simulator issues its own tokens: never reuse one cached by an earlier demo
        redisPrefix: `${env.redisPrefix}:demo:${Date.now()}`,
        accounts: [{ appId: SIM_DEFAULT_APP.appId, appSecret: SIM_DEFAULT_APP.secret, tokenKind: "stable" as const, concurrency: 4, schedule: { ...DEFAULT_SCHEDULE } }],
      };
      const runtime = createRuntime(config);
      try {
        console.log(`simulator at ${sim.url}: ${SEED.published} published articles, materials ${JSON.stringify(SEED.materials)}`);
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
      } finally {
        await runtime.close();
        await sim.close();
      }
    });
}
