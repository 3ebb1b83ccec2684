// startSimulator: a fake api.weixin.qq.com on a local port (see README.md in this folder).
import type { AddressInfo } from "node:net";
import { SimulatorCore } from "./core.ts";
import { createHttpServer } from "./server.ts";
import { MATERIAL_TYPES } from "./state.ts";
import { mediaBytes } from "./media.ts";
import { DEFAULT_MEDIA_ORIGIN } from "./content.ts";
import { servedArticle, servedMaterial, quirksApply } from "./wire.ts";
import type { BodyQuirks, Simulator, SimulatorOptions, SimMaterialType } from "./types.ts";

export * from "./types.ts";
export { SimulatorArgumentError, SimulatorNotFoundError } from "./errors.ts";
export { DEFAULT_FAULT_ENDPOINTS } from "./faults.ts";

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const core = new SimulatorCore(opts);
  const quirksOf = (path: string): BodyQuirks => (quirksApply(core.quirks, path) ? core.quirks : {});

  const sim: Simulator = {
    url: "",
    async close() {
      await core.push.settled();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    published() {
      const q = quirksOf("/cgi-bin/freepublish/batchget");
      return core.state.publishedPage(0, core.state.publishedCount()).map((r) => servedArticle(core.state, r, q));
    },
    materials(type: SimMaterialType) {
      if (!MATERIAL_TYPES.includes(type)) throw new RangeError(`unknown material type ${String(type)}`);
      const q = quirksOf("/cgi-bin/material/batchget_material");
      return core.state.materialPage(type, 0, core.state.materialCount(type)).map((r) => servedMaterial(core.state, r, q));
    },
    publish(count, at) {
      const articles = core.state.publish(count, at === undefined ? undefined : Math.floor(at.getTime() / 1000));
      // each publish job ends with a push, as WeChat's freepublish/submit does (not awaited: WeChat's push is asynchronous)
      if (core.push.configured) for (const a of articles) void core.push.send({ status: 0, articleId: a.article_id, urls: a.news_item.map((n) => n.url) });
      return articles;
    },
    setPush: (o) => core.push.configure(o),
    pushEvent: (e) => core.push.send(e),
    pushLog: () => core.push.log(),
    pushesSettled: () => core.push.settled(),
    deleteArticle: (id) => core.state.deleteArticle(id),
    deleteNewsItem: (id, idx) => core.state.deleteNewsItem(id, idx),
    editArticle: (id, patch, idx) => core.state.editArticle(id, patch, idx),
    addMaterial: (type, count) => core.state.addMaterial(type, count),
    deleteMaterial: (id) => core.state.deleteMaterial(id),
    editMaterial: (id, patch) => core.state.editMaterial(id, patch),
    setFaults: (faults) => core.faults.set(faults),
    setQuirks: (quirks) => {
      core.quirks = { ...quirks };
    },
    onRequest: (hook) => {
      core.hook = hook;
    },
    counters: () => core.counters.snapshot(),
    resetCounters: () => {
      core.counters.reset();
      core.media.reset();
    },
    expireTokens: () => core.tokens.expireAll(),
    settled: () => core.inFlight.settled(),
    authorizerRefreshToken: (appId) => core.tokens.currentRefreshToken(appId),
    mediaOrigin: "",
    mediaBytes: (url) => mediaBytes(core.state.seed, url.replace(/^https?:\/\/[^/]+/, "")),
    setMediaFaults: (f) => core.media.setFaults(f),
    mediaCounters: () => core.media.snapshot(),
    setDailyLimits: (limits) => core.quota.setLimits(limits),
    spendQuota: (path, calls) => core.quota.spend(path, calls),
    newQuotaDay: () => core.quota.newDay(),
    quota: () => core.quota.snapshot(),
  };

  const server = createHttpServer(core, () => sim);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  Object.defineProperty(sim, "url", { value: `http://${host}:${addr.port}`, enumerable: true });
  const origin = (opts.media?.origin ?? DEFAULT_MEDIA_ORIGIN) === "self" ? sim.url : (opts.media?.origin ?? DEFAULT_MEDIA_ORIGIN).replace(/\/+$/, "");
  core.state.setMediaOrigin(origin);
  Object.defineProperty(sim, "mediaOrigin", { value: origin, enumerable: true });
  return sim;
}
