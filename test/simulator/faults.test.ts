// Fault injection, body quirks and counters, each observed over real HTTP.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { request } from "undici";
import { startSimulator, type FaultOptions, type Simulator } from "../../src/simulator/index.ts";
import { APP, call, legacyToken, materials, published } from "./http.ts";

let sim: Simulator;
let token: string;
beforeAll(async () => {
  sim = await startSimulator({ apps: [APP], seed: { seed: 5, published: 30, maxNewsItems: 2, contentBytes: 300, materials: { image: 4, video: 2, news: 2 } } });
  token = await legacyToken(sim);
});
afterEach(() => {
  sim.setFaults({});
  sim.setQuirks({});
  sim.resetCounters();
});
afterAll(async () => {
  await sim?.close();
});

const page = (body: Record<string, unknown> = { offset: 0, count: 5 }) => published(sim, token, body);
const count = () => call(sim, "/cgi-bin/material/get_materialcount", { query: { access_token: token } });

/** outcome of one request: errcode, "ok", "http<status>", "reset" or "truncated" */
async function outcome(): Promise<string> {
  try {
    const r = await page();
    if (r.status !== 200) return `http${r.status}`;
    if (r.json === undefined) return "truncated";
    return r.json.errcode === undefined ? "ok" : String(r.json.errcode);
  } catch (e) {
    return (e as { code?: string }).code === "UND_ERR_SOCKET" || /other side closed|ECONNRESET/.test(String(e)) ? "reset" : `error ${String(e)}`;
  }
}

async function outcomes(n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await outcome());
  return out;
}

describe("probabilistic faults", () => {
  it.each<[keyof FaultOptions, string]>([
    ["systemBusyRate", "-1"],
    ["http5xxRate", "http5"],
    ["resetRate", "reset"],
    ["truncateRate", "truncated"],
  ])("%s injects %s at about its rate, repeatably for one fault seed", async (key, expected) => {
    sim.setFaults({ [key]: 0.5, seed: 9 });
    const first = await outcomes(40);
    const hits = first.filter((o) => o.startsWith(expected)).length;
    expect(first.every((o) => o === "ok" || o.startsWith(expected))).toBe(true);
    expect(hits).toBeGreaterThan(8);
    expect(hits).toBeLessThan(32);
    sim.setFaults({ [key]: 0.5, seed: 9 });
    expect(await outcomes(40)).toEqual(first);
    sim.setFaults({ [key]: 1 });
    expect((await outcome()).startsWith(expected)).toBe(true);
  });

  it("a 5xx is an HTML gateway page with status 500, 502 or 503", async () => {
    sim.setFaults({ http5xxRate: 1 });
    const r = await page();
    expect([500, 502, 503]).toContain(r.status);
    expect(r.contentType).toMatch(/text\/html/);
    expect(r.json).toBeUndefined();
  });

  it("a truncated body is a 200 whose JSON is cut short", async () => {
    sim.setFaults({ truncateRate: 1 });
    const r = await page();
    expect(r.status).toBe(200);
    expect(r.text.startsWith('{"item":[')).toBe(true);
    expect(() => JSON.parse(r.text)).toThrow(SyntaxError);
    expect(sim.counters().faults["/cgi-bin/freepublish/batchget truncated"]).toBe(1);
  });
});

describe("counted faults", () => {
  it("rateLimitBurst answers 45011 to the next N requests, then recovers", async () => {
    sim.setFaults({ rateLimitBurst: 3 });
    expect(await outcomes(5)).toEqual(["45011", "45011", "45011", "ok", "ok"]);
  });

  it("quotaBudget answers 45009 after N list calls, and quota/get reports it", async () => {
    sim.setFaults({ quotaBudget: 4 });
    expect(await outcomes(4)).toEqual(["ok", "ok", "ok", "ok"]);
    expect(await outcome()).toBe("45009");
    expect((await materials(sim, token, { type: "image", offset: 0, count: 1 })).json.errcode).toBe(45009);
    expect((await count()).json.errcode).toBeUndefined(); // not a list call
    const q = await call(sim, "/cgi-bin/openapi/quota/get", { query: { access_token: token }, body: { cgi_path: "/cgi-bin/freepublish/batchget" } });
    expect(q.json).toEqual({ errcode: 0, errmsg: "ok", quota: { daily_limit: 4, used: 4, remain: 0 } });
    sim.setFaults({});
    expect(await outcome()).toBe("ok");
  });

  it("quota/get without a budget counts the calls made, and refuses an unknown cgi_path", async () => {
    await outcomes(3);
    const q = await call(sim, "/cgi-bin/openapi/quota/get", { query: { access_token: token }, body: { cgi_path: "/cgi-bin/freepublish/batchget" } });
    expect(q.json.quota.used).toBe(3);
    expect(q.json.quota.used + q.json.quota.remain).toBe(q.json.quota.daily_limit);
    const bad = await call(sim, "/cgi-bin/openapi/quota/get", { query: { access_token: token }, body: { cgi_path: "/cgi-bin/nope" } });
    expect(bad.json.errcode).toBe(76021);
  });

  it("forceErrcode answers that errcode on the chosen endpoints only", async () => {
    sim.setFaults({ forceErrcode: 48001 });
    expect(await outcome()).toBe("48001");
    expect((await count()).json.errcode).toBe(48001);
    sim.setFaults({ forceErrcode: 40125, endpoints: ["/cgi-bin/token", "stable_token"] });
    expect(await outcome()).toBe("ok");
    const t = await call(sim, "/cgi-bin/token", { query: { grant_type: "client_credential", appid: APP.appId, secret: APP.secret } });
    expect(t.json.errcode).toBe(40125);
    const st = await call(sim, "/cgi-bin/stable_token", { body: { grant_type: "client_credential", appid: APP.appId, secret: APP.secret } });
    expect(st.json.errcode).toBe(40125);
  });

  it("token errors come before injected errcodes: a bad token does not use up a burst", async () => {
    sim.setFaults({ rateLimitBurst: 1 });
    expect((await published(sim, "stale", { offset: 0, count: 1 })).json.errcode).toBe(40001);
    expect(await outcome()).toBe("45011");
  });

  it("malformedPages: the next N list pages lose an item's id or misstate item_count", async () => {
    sim.setFaults({ malformedPages: 3 });
    const a = await page({ offset: 0, count: 5 });
    expect(a.json.item).toHaveLength(5);
    expect(a.json.item.filter((i: any) => !("article_id" in i))).toHaveLength(1);
    expect(a.json.item_count).toBe(5);
    const b = await page({ offset: 0, count: 5 });
    expect(b.json.item.every((i: any) => typeof i.article_id === "string")).toBe(true);
    expect(b.json.item_count).not.toBe(b.json.item.length);
    const c = await materials(sim, token, { type: "image", offset: 0, count: 4 });
    expect(c.json.item.filter((i: any) => !("media_id" in i))).toHaveLength(1);
    const d = await page({ offset: 0, count: 5 });
    expect(d.json.item.every((i: any) => typeof i.article_id === "string") && d.json.item_count === 5).toBe(true);
    expect(Object.keys(sim.counters().faults).sort()).toEqual([
      "/cgi-bin/freepublish/batchget malformed-item-count",
      "/cgi-bin/freepublish/batchget malformed-missing-id",
      "/cgi-bin/material/batchget_material malformed-missing-id",
    ]);
  });

  it("faults leave the token endpoints alone unless listed", async () => {
    sim.setFaults({ systemBusyRate: 1, http5xxRate: 0, rateLimitBurst: 5 });
    expect(await legacyToken(sim)).toEqual(expect.any(String));
    sim.setFaults({ http5xxRate: 1, endpoints: ["/cgi-bin/token"] });
    expect((await call(sim, "/cgi-bin/token", { query: { grant_type: "client_credential", appid: APP.appId, secret: APP.secret } })).status).toBeGreaterThanOrEqual(500);
    expect(await outcome()).toBe("ok");
  });
});

describe("latency", () => {
  it("delays with a timer: a request to an unaffected endpoint overtakes a delayed one", async () => {
    sim.setFaults({ latencyMs: 400, jitterMs: 50, endpoints: ["freepublish/batchget"] });
    const order: string[] = [];
    const slow = page().then(() => order.push("slow"));
    await new Promise((r) => setTimeout(r, 20));
    const fast = count().then(() => order.push("fast"));
    await Promise.all([slow, fast]);
    expect(order).toEqual(["fast", "slow"]);
  });
});

describe("body quirks", () => {
  it("text/plain, BOM, raw control characters, update_time inside content, extra fields", async () => {
    sim.setQuirks({ textPlain: true, bom: true, controlChars: true, updateTimeInContent: true, extraFields: true });
    const r = await page({ offset: 0, count: 2 });
    expect(r.contentType).toBe("text/plain");
    expect(r.text.charCodeAt(0)).toBe(0xfeff);
    expect(r.text).toContain("\t");
    expect(r.text).toContain("\u0001");
    expect(() => JSON.parse(r.text.slice(1))).toThrow(SyntaxError); // strict parsers refuse raw control characters
    const lenient = JSON.parse(r.text.slice(1).replace(/[\u0000-\u001f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
    const expected = sim.published().slice(0, 2);
    expect(lenient.item.map((i: any) => i.content.news_item[0].title)).toEqual(expected.map((a) => a.news_item[0]!.title));
    expect(expected[0]!.news_item[0]!.title).toMatch(/^..\t.*\u0001$/);
    for (const [i, it] of lenient.item.entries()) {
      expect(it).not.toHaveProperty("update_time");
      expect(it.content.create_time).toBe(expected[i]!.create_time);
      expect(it.content.update_time).toBe(expected[i]!.update_time);
      expect(it).toHaveProperty("sim_extra");
      expect(it.content.news_item[0]).toHaveProperty("sim_unknown_field");
    }
    expect(lenient).toHaveProperty("sim_page_extra");
  });

  it("escapeSlashes: false writes plain slashes; quirks limited to endpoints leave others alone", async () => {
    sim.setQuirks({ escapeSlashes: false, bom: true, endpoints: ["batchget_material"] });
    const m = await materials(sim, token, { type: "image", offset: 0, count: 1 });
    expect(m.text.charCodeAt(0)).toBe(0xfeff);
    expect(m.text).toContain("http://mmbiz.qpic.cn/");
    const p = await page({ offset: 0, count: 1 });
    expect(p.text.charCodeAt(0)).toBe("{".charCodeAt(0));
    expect(p.text).toContain("http:\\/\\/");
  });
});

describe("counters", () => {
  it("count calls per endpoint and responses per endpoint and errcode, in process and over HTTP", async () => {
    await page();
    await page({ offset: 0, count: 50 });
    await count();
    await published(sim, "", { offset: 0, count: 1 });
    const expected = {
      calls: { "/cgi-bin/freepublish/batchget": 3, "/cgi-bin/material/get_materialcount": 1 },
      errcodes: { "/cgi-bin/freepublish/batchget 0": 1, "/cgi-bin/freepublish/batchget 47001": 1, "/cgi-bin/freepublish/batchget 41001": 1, "/cgi-bin/material/get_materialcount 0": 1 },
      faults: {},
    };
    expect(sim.counters()).toEqual(expected);
    expect((await call(sim, "/__sim/counters")).json).toEqual(expected);
    await call(sim, "/__sim/counters/reset", { method: "POST", body: {} });
    expect(sim.counters()).toEqual({ calls: {}, errcodes: {}, faults: {} });
  });

  it("faults and quirks can be set over HTTP", async () => {
    const set = await call(sim, "/__sim/faults", { body: { rateLimitBurst: 1 } });
    expect(set.json.rateLimitLeft).toBe(1);
    expect(await outcome()).toBe("45011");
    expect((await call(sim, "/__sim/faults", { body: { systemBusyRate: 2 } })).status).toBe(400);
    await call(sim, "/__sim/quirks", { body: { textPlain: true } });
    expect((await page()).contentType).toBe("text/plain");
    await call(sim, "/__sim/expire-tokens", { body: {} });
    expect(await outcome()).toBe("42001");
    token = await legacyToken(sim);
  });

  it("settled() waits for a request its client abandoned, which is still answered and counted", async () => {
    await sim.settled(); // idle: resolves at once
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let reached!: () => void;
    const atServer = new Promise<void>((r) => (reached = r));
    sim.onRequest(async () => {
      reached();
      await held;
    });
    try {
      const ctl = new AbortController();
      const abandoned = request(`${sim.url}/cgi-bin/freepublish/batchget?access_token=${token}`, { method: "POST", body: JSON.stringify({ offset: 0, count: 1 }), signal: ctl.signal });
      await atServer;
      ctl.abort();
      await expect(abandoned).rejects.toThrow();
      let settled = false;
      const waiting = sim.settled().then(() => (settled = true));
      await new Promise((r) => setImmediate(r));
      expect(settled).toBe(false);
      expect(sim.counters().errcodes).toEqual({});
      release();
      await waiting;
      expect(sim.counters().errcodes).toEqual({ "/cgi-bin/freepublish/batchget 0": 1 });
    } finally {
      sim.onRequest(undefined);
      release();
    }
  });
});
