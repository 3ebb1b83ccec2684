// The demo's message push step: a worker and its HTTP server on a free port, the
// simulator pushing to /wechat/push/<app_id> in safe mode, one publish, and the time until
// its news items are in Postgres.
import type { Runtime } from "../runtime.ts";
import type { Simulator } from "../simulator/index.ts";
import type { CliContext } from "./context.ts";
import { createMetrics } from "../metrics/registry.ts";

export async function demoPublishByPush(runtime: Runtime, sim: Simulator, ctx: CliContext, appId: string, log: (line: string) => void): Promise<void> {
  const account = runtime.config.accounts.find((a) => a.appId === appId);
  if (!account?.push) return;
  const worker = await (await ctx.jobs()).startWorker(runtime, { schedules: false });
  const { startHttpServer } = await import("../http/server.ts");
  const config = { ...runtime.config, http: { ...runtime.config.http, port: 0, host: "127.0.0.1", adminToken: undefined } };
  const http = await startHttpServer({ config, reads: runtime.reads, redis: runtime.redis, logger: runtime.logger, metrics: createMetrics({ defaultMetrics: false }), queue: worker.queue, pushes: runtime.pushes, enqueuePush: worker.enqueuePush });
  try {
    sim.setPush({ url: `${http.url}/wechat/push/${appId}`, token: account.push.token, aesKey: account.push.aesKey, mode: "safe", appId });
    const started = performance.now();
    const [article] = sim.publish(1);
    const id = article!.article_id;
    await sim.pushesSettled();
    const publishId = sim.pushLog().at(-1)?.publishId;
    const end = Date.now() + 15_000;
    // the publish job this push created, once processed
    const processed = async () => (await runtime.pushes.publishJobs(appId, 5)).find((j) => j.publishId === publishId && j.state !== "pending");
    let job = await processed();
    while (!job && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
      job = await processed();
    }
    const stored = job ? await runtime.reads.getArticle(id, { includeDeletedItems: false }) : null;
    if (job && stored) {
      log(`\npublished ${id} ("${(article!.news_item[0]?.title ?? "").slice(0, 30)}"): PUBLISHJOBFINISH pushed to ${http.url}/wechat/push/${appId} (signed, AES-encrypted); ${stored.newsItems.length} news item(s) ${job.outcome} in Postgres ${Math.round(performance.now() - started)} ms after the publish`);
    } else log(`\npublished ${id}: its push was not processed within 15 s (see the worker log)`);
    // the incremental walk the push asked for ends before the worker stops
    while (Date.now() < end + 10_000) {
      const c = await worker.queue.counts();
      if (!c.active && !c.waiting && !c.delayed && !c.prioritized) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    sim.setPush(undefined);
    await http.app.close();
    await worker.shutdown(5_000);
  }
}
