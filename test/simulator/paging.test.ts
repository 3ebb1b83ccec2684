// Offset paging over both lists, parameter checks, and drift between two pages of one
// walk (in-process through onRequest, out-of-process through /__sim/).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/simulator/index.ts";
import { APP, call, legacyToken, materials, published, walkPublished } from "./http.ts";

let sim: Simulator;
let token: string;
beforeAll(async () => {
  sim = await startSimulator({ apps: [APP], seed: { seed: 11, published: 47, maxNewsItems: 2, contentBytes: 200, materials: { image: 23, video: 1 } } });
  token = await legacyToken(sim);
});
afterEach(() => sim.onRequest(undefined));
afterAll(async () => {
  await sim?.close();
});

const ids = (items: any[], key = "article_id"): string[] => items.map((i) => i[key]);

describe("paging", () => {
  it("offset/count select a window of the newest-first list with total_count and item_count", async () => {
    const all = sim.published().map((a) => a.article_id);
    const r = await published(sim, token, { offset: 10, count: 7 });
    expect(r.json.total_count).toBe(47);
    expect(r.json.item_count).toBe(7);
    expect(ids(r.json.item)).toEqual(all.slice(10, 17));
    const tail = await published(sim, token, { offset: 40, count: 20 });
    expect(tail.json).toMatchObject({ total_count: 47, item_count: 7 });
    expect(ids(tail.json.item)).toEqual(all.slice(40));
    const past = await published(sim, token, { offset: 47, count: 20 });
    expect(past.json).toEqual({ item: [], total_count: 47, item_count: 0 });
    // offset may be omitted (0)
    expect(ids((await published(sim, token, { count: 3 })).json.item)).toEqual(all.slice(0, 3));
  });

  it("pages materials the same way", async () => {
    const all = sim.materials("image").map((m) => m.media_id);
    const a = await materials(sim, token, { type: "image", offset: 0, count: 20 });
    const b = await materials(sim, token, { type: "image", offset: 20, count: 20 });
    expect(a.json.item_count).toBe(20);
    expect(b.json).toMatchObject({ total_count: 23, item_count: 3 });
    expect([...ids(a.json.item, "media_id"), ...ids(b.json.item, "media_id")]).toEqual(all);
  });

  it("refuses count outside 1..20, a negative offset or a non-object body with 47001, a bad type with 40007", async () => {
    for (const body of [{ offset: 0, count: 21 }, { offset: 0, count: 0 }, { offset: -1, count: 5 }, { offset: 0, count: 2.5 }, { offset: 0 }]) {
      const r = await published(sim, token, body);
      expect(r.json.errcode).toBe(47001);
      expect(r.json).not.toHaveProperty("item");
    }
    expect((await call(sim, "/cgi-bin/freepublish/batchget", { query: { access_token: token }, body: "[1,2]" })).json.errcode).toBe(47001);
    expect((await materials(sim, token, { type: "image", offset: 0, count: 21 })).json.errcode).toBe(47001);
    expect((await materials(sim, token, { type: "mpnews", offset: 0, count: 5 })).json.errcode).toBe(40007);
    expect((await materials(sim, token, { offset: 0, count: 5 })).json.errcode).toBe(40007);
  });

  it("answers an unknown path with HTTP 404", async () => {
    expect((await call(sim, "/cgi-bin/nope")).status).toBe(404);
  });
});

describe("drift through onRequest", () => {
  it("a deletion between two pages shifts later items up, so a naive walk skips one", async () => {
    const before = sim.published().map((a) => a.article_id);
    const calls: number[] = [];
    sim.onRequest(async ({ endpoint, callIndex, body }) => {
      calls.push(callIndex);
      expect(endpoint).toBe("/cgi-bin/freepublish/batchget");
      // after the first page was served, delete its 3rd article
      if (calls.length === 2 && body.offset === 20) sim.deleteArticle(before[2]!);
    });
    const walked = ids(await walkPublished(sim, token));
    expect(calls).toHaveLength(3);
    expect(calls[1]).toBe(calls[0]! + 1);
    expect(walked).toHaveLength(46);
    // before[20] moved to offset 19, which the walk had already passed: it is skipped
    expect(walked).not.toContain(before[20]);
    expect(walked.slice(0, 20)).toEqual(before.slice(0, 20));
    expect(walked.slice(20)).toEqual(before.slice(21));
    expect(sim.published().map((a) => a.article_id)).toEqual(before.filter((_, i) => i !== 2));
  });

  it("a publish between two pages shifts items down, so a naive walk sees one twice", async () => {
    const before = sim.published().map((a) => a.article_id);
    let n = 0;
    let fresh = "";
    sim.onRequest(() => {
      if (n++ === 1) fresh = sim.publish(1)[0]!.article_id;
    });
    const walked = ids(await walkPublished(sim, token));
    expect(fresh).not.toBe("");
    expect(walked).not.toContain(fresh);
    expect(walked.filter((id) => id === before[19])).toHaveLength(2);
    const now = sim.published();
    expect(now[0]!.article_id).toBe(fresh);
    expect(now[0]!.create_time).toBeGreaterThan(now[1]!.create_time);
    expect(now).toHaveLength(before.length + 1);
  });

  it("the hook's drift is visible in the very response it precedes", async () => {
    sim.onRequest(() => {
      sim.addMaterial("video", 2);
    });
    const r = await materials(sim, token, { type: "video", offset: 0, count: 20 });
    sim.onRequest(undefined);
    expect(r.json.total_count).toBe(sim.materials("video").length);
    expect(ids(r.json.item, "media_id")).toEqual(sim.materials("video").map((m) => m.media_id));
  });

  it("a failing hook answers HTTP 500", async () => {
    sim.onRequest(() => {
      throw new Error("boom");
    });
    const r = await published(sim, token, { offset: 0, count: 1 });
    expect(r.status).toBe(500);
  });
});

describe("drift through /__sim/ control endpoints", () => {
  const ctl = (path: string, body?: unknown) => call(sim, `/__sim/${path}`, { body: body ?? {}, method: "POST" });

  it("publish, delete, delete-news-item, edit and materials change what the API serves", async () => {
    const head = sim.published()[0]!;
    const pub = await ctl("publish", { count: 2 });
    expect(pub.status).toBe(200);
    expect(pub.json.articles).toHaveLength(2);
    const page = await published(sim, token, { offset: 0, count: 3 });
    // both new articles are at the head, the former head third
    expect(ids(page.json.item)).toEqual([...pub.json.articles.map((a: any) => a.article_id).reverse(), head.article_id]);

    expect((await ctl("delete", { article_id: head.article_id })).status).toBe(200);
    expect(sim.published().some((a) => a.article_id === head.article_id)).toBe(false);
    expect((await ctl("delete", { article_id: head.article_id })).status).toBe(404);

    const target = sim.published()[5]!;
    await ctl("delete-news-item", { article_id: target.article_id, index: 0 });
    await ctl("edit", { article_id: target.article_id, index: 0, patch: { title: "远程修改" } });
    const t2 = sim.published()[5]!;
    expect(t2.news_item[0]).toMatchObject({ is_deleted: true, title: "远程修改" });
    expect(t2.update_time).toBeGreaterThan(target.update_time);

    const added = await ctl("materials", { type: "image", count: 1 });
    expect(sim.materials("image")[0]!.media_id).toBe(added.json.materials[0].media_id);
    await ctl("edit", { media_id: added.json.materials[0].media_id, name: "remote.png" });
    expect(sim.materials("image")[0]!.name).toBe("remote.png");
    await ctl("delete", { media_id: added.json.materials[0].media_id });
    expect(sim.materials("image").map((m) => m.media_id)).not.toContain(added.json.materials[0].media_id);

    expect((await ctl("materials", { type: "gif" })).status).toBe(400);
    expect((await ctl("nothing")).status).toBe(404);
  });

  it("/__sim/state summarises the lists; ?full=1 returns them as published() does", async () => {
    const s = await call(sim, "/__sim/state");
    expect(s.json.published.map((a: any) => a.article_id)).toEqual(sim.published().map((a) => a.article_id));
    expect(s.json.materials.image).toHaveLength(sim.materials("image").length);
    const full = await call(sim, "/__sim/state", { query: { full: "1" } });
    expect(full.json.published).toEqual(sim.published());
    expect(full.json.materials.video).toEqual(sim.materials("video"));
  });
});
