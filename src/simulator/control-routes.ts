// /__sim/ control endpoints: the Simulator methods over HTTP, for a simulator running
// in another process (`mpsync simulator`, the benchmark). Plain JSON, no quirks.
import type http from "node:http";
import type { SimulatorCore } from "./core.ts";
import { SimulatorArgumentError, SimulatorNotFoundError } from "./errors.ts";
import { MATERIAL_TYPES } from "./state.ts";
import type { BodyQuirks, FaultOptions, SimMaterialType, SimNewsItem, Simulator } from "./types.ts";

function send(res: http.ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value), "utf8");
  res.writeHead(status, { "content-type": "application/json", "content-length": body.length });
  res.end(body);
}

function obj(raw: string): Record<string, unknown> {
  if (raw.trim() === "") return {};
  const v: unknown = JSON.parse(raw);
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new SimulatorArgumentError("body must be a JSON object");
  return v as Record<string, unknown>;
}

function optInt(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new SimulatorArgumentError(`${name} must be a non-negative integer`);
  return v;
}

function str(v: unknown, name: string): string {
  if (typeof v !== "string" || v === "") throw new SimulatorArgumentError(`${name} is required`);
  return v;
}

function materialType(v: unknown): SimMaterialType {
  if (typeof v !== "string" || !MATERIAL_TYPES.includes(v as SimMaterialType)) throw new SimulatorArgumentError(`type must be one of ${MATERIAL_TYPES.join(", ")}`);
  return v as SimMaterialType;
}

type Handler = (sim: Simulator, core: SimulatorCore, body: Record<string, unknown>, url: URL) => unknown;

const POST: Record<string, Handler> = {
  "/__sim/publish": (sim, _c, b) => ({ articles: sim.publish(optInt(b.count, "count") ?? 1) }),
  "/__sim/delete": (sim, _c, b) => {
    if (b.article_id !== undefined) sim.deleteArticle(str(b.article_id, "article_id"));
    else sim.deleteMaterial(str(b.media_id, "article_id or media_id"));
    return { ok: true };
  },
  "/__sim/delete-news-item": (sim, _c, b) => {
    sim.deleteNewsItem(str(b.article_id, "article_id"), optInt(b.index, "index") ?? 0);
    return { ok: true };
  },
  "/__sim/edit": (sim, _c, b) => {
    if (b.article_id !== undefined) {
      sim.editArticle(str(b.article_id, "article_id"), b.patch as Partial<SimNewsItem> | undefined, optInt(b.index, "index"));
    } else {
      sim.editMaterial(str(b.media_id, "article_id or media_id"), typeof b.name === "string" ? { name: b.name } : undefined);
    }
    return { ok: true };
  },
  "/__sim/materials": (sim, _c, b) => ({ materials: sim.addMaterial(materialType(b.type), optInt(b.count, "count") ?? 1) }),
  /** {url, token, aesKey?, mode?, appId?, timeoutMs?, tries?}; an empty body turns pushes off */
  "/__sim/push/config": (sim, _c, b) => {
    sim.setPush(Object.keys(b).length ? (b as unknown as Parameters<typeof sim.setPush>[0]) : undefined);
    return { ok: true };
  },
  /** {status, article_id?, publish_id?, fail_idx?}: one PUBLISHJOBFINISH, answered once its tries ended */
  "/__sim/push/event": async (sim, _c, b) => ({
    attempts: await sim.pushEvent({
      status: optInt(b.status, "status") ?? 0,
      ...(b.article_id !== undefined ? { articleId: str(b.article_id, "article_id") } : {}),
      ...(b.publish_id !== undefined ? { publishId: str(b.publish_id, "publish_id") } : {}),
      ...(Array.isArray(b.fail_idx) ? { failIdx: b.fail_idx.map((n, i) => optInt(n, `fail_idx[${i}]`)!) } : {}),
    }),
  }),
  "/__sim/faults": (sim, c, b) => {
    sim.setFaults(b as FaultOptions);
    return c.faults.current();
  },
  "/__sim/quirks": (sim, c, b) => {
    sim.setQuirks(b as BodyQuirks);
    return c.quirks;
  },
  "/__sim/expire-tokens": (sim) => {
    sim.expireTokens();
    return { ok: true };
  },
  "/__sim/media/faults": (sim, _c, b) => {
    sim.setMediaFaults(b as Parameters<typeof sim.setMediaFaults>[0]);
    return { ok: true };
  },
  "/__sim/quota/limits": (sim, _c, b) => {
    sim.setDailyLimits(b as Record<string, number>);
    return sim.quota();
  },
  "/__sim/quota/spend": (sim, _c, b) => {
    sim.spendQuota(str(b.cgi_path, "cgi_path"), optInt(b.calls, "calls") ?? 1);
    return sim.quota();
  },
  "/__sim/quota/new-day": (sim) => {
    sim.newQuotaDay();
    return sim.quota();
  },
  "/__sim/counters/reset": (sim) => {
    sim.resetCounters();
    return { ok: true };
  },
};

const GET: Record<string, Handler> = {
  "/__sim/counters": (sim) => sim.counters(),
  "/__sim/media/counters": (sim) => sim.mediaCounters(),
  "/__sim/faults": (_s, c) => c.faults.current(),
  "/__sim/quota": (sim) => sim.quota(),
  "/__sim/quirks": (_s, c) => c.quirks,
  "/__sim/push/log": (sim) => ({ attempts: sim.pushLog() }),
  /** ids and timestamps; ?full=1 for the complete lists with content */
  "/__sim/state": (sim, c, _b, url) => {
    if (url.searchParams.get("full") !== "1") return c.state.summary();
    const materials = {} as Record<SimMaterialType, unknown>;
    for (const t of MATERIAL_TYPES) materials[t] = sim.materials(t);
    return { published: sim.published(), materials };
  },
};

export async function handleControl(sim: Simulator, core: SimulatorCore, method: string, url: URL, raw: string, res: http.ServerResponse): Promise<void> {
  const handler = (method === "POST" ? POST : GET)[url.pathname];
  if (!handler) return send(res, 404, { error: `no control endpoint ${method} ${url.pathname}` });
  try {
    send(res, 200, await handler(sim, core, obj(raw), url));
  } catch (e) {
    if (e instanceof SimulatorNotFoundError) return send(res, 404, { error: e.message });
    if (e instanceof SimulatorArgumentError || e instanceof RangeError || e instanceof SyntaxError) return send(res, 400, { error: (e as Error).message });
    throw e;
  }
}
