// The WeChat endpoints: what each one checks and answers. Transport faults, token
// checks and fault errcodes are applied by the server before a handler runs.
import type { SimulatorCore } from "./core.ts";
import { MATERIAL_TYPES } from "./state.ts";
import type { TokenKind } from "./tokens.ts";
import { materialItemWire, publishedItemWire, quirksApply, servedArticle, servedMaterial } from "./wire.ts";
import { SIM_ERRCODES, type BodyQuirks, type SimMaterialType } from "./types.ts";

export interface WeChatRequest {
  path: string;
  query: URLSearchParams;
  /** the JSON body when it is an object, else undefined */
  body: Record<string, unknown> | undefined;
}

export type Outcome = { ok: true; value: Record<string, unknown> } | { ok: false; errcode: number };

export interface Route {
  /** POST endpoints refuse other methods with 43002 */
  post: boolean;
  /** token kinds accepted in ?access_token= (none: the endpoint checks its own credentials) */
  auth?: readonly TokenKind[];
  handle(core: SimulatorCore, req: WeChatRequest): Promise<Outcome> | Outcome;
}

const LIST_TOKENS: readonly TokenKind[] = ["legacy", "stable", "authorizer"];
const fail = (errcode: number): Outcome => ({ ok: false, errcode });
const ok = (value: Record<string, unknown>): Outcome => ({ ok: true, value });

function quirksFor(core: SimulatorCore, path: string): BodyQuirks {
  return quirksApply(core.quirks, path) ? core.quirks : {};
}

/** offset >= 0 and count 1..20, as integers; WeChat answers an invalid-parameter errcode otherwise */
function paging(body: Record<string, unknown>): { offset: number; count: number } | undefined {
  const offset = body.offset ?? 0;
  const count = body.count;
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) return undefined;
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > 20) return undefined;
  return { offset, count };
}

async function runHook(core: SimulatorCore, path: string, body: Record<string, unknown>): Promise<void> {
  const callIndex = core.hookCalls++;
  if (core.hook) await core.hook({ endpoint: path, body, callIndex });
}

type WirePage = { item?: Record<string, unknown>[]; total_count: number; item_count: number };

/** the malformedPages fault: the bad answer of its kind (types.ts MalformedKind) instead of the page */
function malform(core: SimulatorCore, path: string, page: WirePage & { item: Record<string, unknown>[] }, key: string): WirePage {
  const kind = core.faults.malform(path);
  if (!kind) return page;
  core.counters.fault(path, `malformed-${kind}`);
  const items = page.item;
  switch (kind) {
    case "missing-id": {
      const victim = items[Math.floor(items.length / 2)];
      if (victim) delete victim[key];
      return page;
    }
    case "item-count":
      return { ...page, item_count: items.length + 1 };
    case "empty-list":
      return { total_count: 0, item_count: 0, item: [] };
    case "no-item":
      return { total_count: 0, item_count: 0 };
    case "empty-page":
      return { ...page, item_count: 0, item: [] };
    case "no-content":
      return { ...page, item: items.map(({ content: _dropped, ...rest }) => rest) };
    case "empty-news-item":
      return { ...page, item: items.map((it) => (it.content ? { ...it, content: { ...(it.content as object), news_item: [] } } : it)) };
  }
}

const freepublishBatchget: Route = {
  post: true,
  auth: LIST_TOKENS,
  async handle(core, req) {
    const p = req.body && paging(req.body);
    if (!req.body || !p) return fail(SIM_ERRCODES.invalidParameter);
    const noContent = req.body.no_content === 1 || req.body.no_content === "1";
    await runHook(core, req.path, req.body);
    const q = quirksFor(core, req.path);
    const recs = core.state.publishedPage(p.offset, p.count);
    const item = recs.map((r) => publishedItemWire(servedArticle(core.state, r, q, !noContent), q));
    const page = malform(core, req.path, { item, total_count: core.state.publishedCount(), item_count: item.length }, "article_id");
    return ok(q.extraFields ? { ...page, sim_page_extra: { cursor: null } } : page);
  },
};

/** freepublish/getarticle {article_id}: the article's news items and times (the recorded shape), 53600 when unknown */
const freepublishGetarticle: Route = {
  post: true,
  auth: LIST_TOKENS,
  handle(core, req) {
    const id = req.body?.article_id;
    if (typeof id !== "string" || id === "") return fail(SIM_ERRCODES.invalidParameter);
    const rec = core.state.articleById(id);
    if (!rec) return fail(SIM_ERRCODES.articleNotFound);
    const q = quirksFor(core, req.path);
    const wire = publishedItemWire(servedArticle(core.state, rec, q, true), { ...q, updateTimeInContent: false, extraFields: false });
    return ok({ news_item: (wire.content as { news_item: unknown[] }).news_item, create_time: rec.createTime, update_time: rec.updateTime });
  },
};

const batchgetMaterial: Route = {
  post: true,
  auth: LIST_TOKENS,
  async handle(core, req) {
    if (!req.body) return fail(SIM_ERRCODES.invalidParameter);
    const type = req.body.type;
    if (typeof type !== "string" || !MATERIAL_TYPES.includes(type as SimMaterialType)) return fail(SIM_ERRCODES.invalidMediaType);
    const p = paging(req.body);
    if (!p) return fail(SIM_ERRCODES.invalidParameter);
    await runHook(core, req.path, req.body);
    const q = quirksFor(core, req.path);
    const t = type as SimMaterialType;
    const item = core.state.materialPage(t, p.offset, p.count).map((r) => materialItemWire(servedMaterial(core.state, r, q), q));
    const page = malform(core, req.path, { item, total_count: core.state.materialCount(t), item_count: item.length }, "media_id");
    return ok(q.extraFields ? { ...page, sim_page_extra: { cursor: null } } : page);
  },
};

const materialCount: Route = {
  post: false,
  auth: LIST_TOKENS,
  handle(core) {
    const s = core.state;
    return ok({ voice_count: s.materialCount("voice"), video_count: s.materialCount("video"), image_count: s.materialCount("image"), news_count: s.materialCount("news") });
  },
};

/** quota reported for a cgi_path when no quotaBudget fault is set */
const DEFAULT_DAILY_LIMIT = 100_000;

const quotaGet: Route = {
  post: true,
  auth: LIST_TOKENS,
  handle(core, req) {
    const cgiPath = req.body?.cgi_path;
    if (typeof cgiPath !== "string" || !(cgiPath in ROUTES)) return fail(SIM_ERRCODES.cgiPathNotFound);
    const budget = core.faults.applies(cgiPath) ? core.faults.quota() : undefined;
    const limit = core.quota.limitOf(cgiPath);
    const dailyLimit = limit ?? budget?.dailyLimit ?? DEFAULT_DAILY_LIMIT;
    const used = limit !== undefined ? core.quota.usedOf(cgiPath) : (budget?.used ?? core.counters.calls(cgiPath));
    // quota/get is the one read API whose success body carries errcode 0
    return ok({ errcode: 0, errmsg: "ok", quota: { daily_limit: dailyLimit, used, remain: Math.max(0, dailyLimit - used) } });
  },
};

/** POST /cgi-bin/clear_quota {appid}: every API's used count back to 0, 10 times a month */
const clearQuota: Route = {
  post: true,
  auth: LIST_TOKENS,
  handle(core, req) {
    if (typeof req.body?.appid !== "string") return fail(SIM_ERRCODES.invalidParameter);
    const refused = core.quota.clear();
    return refused ? fail(refused) : ok({ errcode: 0, errmsg: "ok" });
  },
};

const token: Route = {
  post: false,
  handle(core, req) {
    const r = core.tokens.legacy(req.query.get("grant_type"), req.query.get("appid"), req.query.get("secret"));
    return r.ok ? ok(r.value) : fail(r.errcode);
  },
};

const stableToken: Route = {
  post: true,
  handle(core, req) {
    if (!req.body) return fail(SIM_ERRCODES.invalidParameter);
    const r = core.tokens.stableToken(req.body);
    return r.ok ? ok(r.value) : fail(r.errcode);
  },
};

const componentToken: Route = {
  post: true,
  handle(core, req) {
    if (!req.body) return fail(SIM_ERRCODES.invalidParameter);
    const r = core.tokens.componentToken(req.body);
    return r.ok ? ok(r.value) : fail(r.errcode);
  },
};

const authorizerToken: Route = {
  post: true,
  handle(core, req) {
    if (!req.body) return fail(SIM_ERRCODES.invalidParameter);
    const r = core.tokens.authorizerToken(req.query.get("component_access_token") ?? undefined, req.body);
    return r.ok ? ok(r.value) : fail(r.errcode);
  },
};

export const ROUTES: Record<string, Route> = {
  "/cgi-bin/token": token,
  "/cgi-bin/stable_token": stableToken,
  "/cgi-bin/component/api_component_token": componentToken,
  "/cgi-bin/component/api_authorizer_token": authorizerToken,
  "/cgi-bin/freepublish/batchget": freepublishBatchget,
  "/cgi-bin/freepublish/getarticle": freepublishGetarticle,
  "/cgi-bin/material/batchget_material": batchgetMaterial,
  "/cgi-bin/material/get_materialcount": materialCount,
  "/cgi-bin/openapi/quota/get": quotaGet,
  "/cgi-bin/clear_quota": clearQuota,
};
