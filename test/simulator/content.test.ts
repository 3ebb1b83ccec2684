// Seeded content: deterministic, realistic in shape, served exactly as published()
// and materials() describe it, and changed by edits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type SeedOptions, type Simulator } from "../../src/simulator/index.ts";
import { APP, call, legacyToken, materials, published, walkPublished } from "./http.ts";

const SEED: SeedOptions = {
  seed: 42,
  published: 45,
  maxNewsItems: 4,
  contentBytes: 3000,
  deletedNewsItemRate: 0.25,
  materials: { image: 7, video: 3, voice: 2, news: 4 },
};

let sim: Simulator;
let token: string;

beforeAll(async () => {
  sim = await startSimulator({ apps: [APP], seed: SEED });
  token = await legacyToken(sim);
});
afterAll(async () => {
  await sim?.close();
});

/** the wire form of an article, for comparing HTTP pages with published() */
function wireArticle(a: ReturnType<Simulator["published"]>[number]) {
  return { article_id: a.article_id, content: { news_item: a.news_item }, update_time: a.update_time };
}

describe("seeded content", () => {
  it("is identical for the same seed and differs for another", async () => {
    const twin = await startSimulator({ apps: [APP], seed: SEED });
    const other = await startSimulator({ apps: [APP], seed: { ...SEED, seed: 43 } });
    try {
      expect(twin.published()).toEqual(sim.published());
      for (const t of ["image", "video", "voice", "news"] as const) expect(twin.materials(t)).toEqual(sim.materials(t));
      expect(other.published().map((a) => a.article_id)).not.toEqual(sim.published().map((a) => a.article_id));
      // the same state answers the same bytes over HTTP
      const twinToken = await legacyToken(twin);
      const a = await published(sim, token, { offset: 5, count: 10 });
      const b = await published(twin, twinToken, { offset: 5, count: 10 });
      expect(b.text).toBe(a.text);
    } finally {
      await twin.close();
      await other.close();
    }
  });

  it("serves over HTTP exactly what published() returns, newest first", async () => {
    const items = await walkPublished(sim, token);
    expect(items).toEqual(sim.published().map(wireArticle));
    const created = sim.published().map((a) => a.create_time);
    expect(created).toEqual([...created].sort((x, y) => y - x));
    expect(new Set(created).size).toBe(created.length);
  });

  it("looks like WeChat content", () => {
    const all = sim.published();
    const news = all.flatMap((a) => a.news_item);
    expect(all).toHaveLength(45);
    for (const a of all) {
      expect(a.article_id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(a.news_item.length).toBeGreaterThanOrEqual(1);
      expect(a.news_item.length).toBeLessThanOrEqual(4);
      expect(a.update_time).toBeGreaterThanOrEqual(a.create_time);
    }
    expect(new Set(all.map((a) => a.news_item.length)).size).toBeGreaterThan(1);
    for (const n of news) {
      expect(n.title).toMatch(/[\u4e00-\u9fff]/);
      expect(n.url).toMatch(/^http:\/\/mp\.weixin\.qq\.com\/s\?__biz=/);
      expect(n.thumb_url).toMatch(/^http:\/\/mmbiz\.qpic\.cn\//);
      expect(n.content).toContain('<img ');
      expect(n.content).toMatch(/data-src="http:\/\/mmbiz\.qpic\.cn\//);
      expect(n.content).not.toMatch(/\ssrc=/);
      const bytes = Buffer.byteLength(n.content);
      expect(bytes).toBeGreaterThan(3000 * 0.7);
      expect(bytes).toBeLessThan(3000 * 1.4);
    }
    const deleted = news.filter((n) => n.is_deleted).length;
    expect(deleted).toBeGreaterThan(0);
    expect(deleted).toBeLessThan(news.length);
    expect(new Set(news.map((n) => n.url)).size).toBe(news.length);
  });

  it("escapes / as \\/ and leaves Chinese unescaped, like WeChat", async () => {
    const r = await published(sim, token, { offset: 0, count: 1 });
    expect(r.contentType).toMatch(/^application\/json/);
    expect(r.text).toContain("http:\\/\\/mp.weixin.qq.com\\/s?");
    expect(r.text).not.toMatch(/[^\\]\//);
    expect(r.text).toMatch(/[\u4e00-\u9fff]/);
    expect(r.json.errcode).toBeUndefined();
  });

  it("no_content: 1 leaves out only the bodies", async () => {
    const full = await published(sim, token, { offset: 0, count: 20, no_content: 0 });
    const bare = await published(sim, token, { offset: 0, count: 20, no_content: 1 });
    const strip = (it: any) => ({ ...it, content: { news_item: it.content.news_item.map(({ content: _c, ...rest }: any) => rest) } });
    expect(bare.json.item).toEqual(full.json.item.map(strip));
    expect(bare.json.item[0].content.news_item[0]).not.toHaveProperty("content");
    expect(bare.text.length).toBeLessThan(full.text.length / 3);
  });

  it("serves each material type in its recorded shape", async () => {
    const img = await materials(sim, token, { type: "image", offset: 0, count: 20 });
    expect(img.json).toMatchObject({ total_count: 7, item_count: 7 });
    expect(img.json.item).toEqual(sim.materials("image").map((m) => ({ media_id: m.media_id, name: m.name, update_time: m.update_time, url: m.url })));
    expect(img.json.item[0].url).toMatch(/^http:\/\/mmbiz\.qpic\.cn\//);
    for (const type of ["video", "voice"] as const) {
      const r = await materials(sim, token, { type, offset: 0, count: 20 });
      expect(r.json.item).toEqual(sim.materials(type).map((m) => ({ media_id: m.media_id, name: m.name, update_time: m.update_time })));
      for (const it of r.json.item) expect(Object.keys(it).sort()).toEqual(["media_id", "name", "update_time"]);
    }
    const news = await materials(sim, token, { type: "news", offset: 0, count: 20 });
    expect(news.json.item).toHaveLength(4);
    const expected = sim.materials("news");
    news.json.item.forEach((it: any, i: number) => {
      const m = expected[i]!;
      expect(it.media_id).toBe(m.media_id);
      expect(it.update_time).toBe(m.update_time);
      expect(it.content.create_time).toBe(m.create_time);
      expect(it.content.update_time).toBe(m.update_time);
      // recorded material news items carry no is_deleted
      expect(it.content.news_item).toEqual(m.news_item!.map(({ is_deleted: _d, ...rest }) => rest));
    });
    const created = expected.map((m) => m.create_time);
    expect(created).toEqual([...created].sort((x, y) => y - x));
  });

  it("counts materials", async () => {
    const r = await call(sim, "/cgi-bin/material/get_materialcount", { query: { access_token: token } });
    expect(r.json).toEqual({ voice_count: 2, video_count: 3, image_count: 7, news_count: 4 });
  });

  it("generates 10,000 articles without holding their bodies", async () => {
    const before = process.memoryUsage().heapUsed;
    const big = await startSimulator({
      apps: [APP],
      seed: { seed: 1, published: 10_000, maxNewsItems: 3, contentBytes: 8000, materials: { image: 1000 } },
    });
    try {
      // 10,000 x ~2 x 8 KB would be ~160 MB of text if stored; ids and versions are far less
      expect(process.memoryUsage().heapUsed - before).toBeLessThan(40 * 1024 * 1024);
      const t = await legacyToken(big);
      const last = await published(big, t, { offset: 9_990, count: 20 });
      expect(last.json).toMatchObject({ total_count: 10_000, item_count: 10 });
      expect(Buffer.byteLength(last.json.item[0].content.news_item[0].content)).toBeGreaterThan(5000);
    } finally {
      await big.close();
    }
  });
});

describe("edits", () => {
  it("editArticle changes the text and bumps update_time; other articles stay as they were", async () => {
    const [a, b] = sim.published();
    await new Promise((r) => setTimeout(r, 5));
    sim.editArticle(a!.article_id, undefined, 0);
    const [a2, b2] = sim.published();
    expect(a2!.article_id).toBe(a!.article_id);
    expect(a2!.update_time).toBeGreaterThan(a!.update_time);
    expect(a2!.news_item[0]!.content).not.toBe(a!.news_item[0]!.content);
    expect(a2!.news_item[0]!.url).toBe(a!.news_item[0]!.url);
    expect(a2!.news_item.slice(1)).toEqual(a!.news_item.slice(1));
    expect(b2).toEqual(b);
    // edits do not move an article: the list is by creation
    sim.editArticle(b!.article_id, { title: "改过的标题 / 新" });
    const r = await published(sim, token, { offset: 1, count: 1 });
    expect(r.json.item[0].article_id).toBe(b!.article_id);
    expect(r.json.item[0].content.news_item.map((n: any) => n.title)).toEqual(b!.news_item.map(() => "改过的标题 / 新"));
    expect(r.text).toContain("改过的标题 \\/ 新");
  });

  it("deleteNewsItem flags one item is_deleted and keeps the article", () => {
    const target = sim.published().find((a) => a.news_item.length > 1 && a.news_item.every((n) => !n.is_deleted)) ?? sim.published()[3]!;
    sim.deleteNewsItem(target.article_id, 0);
    const after = sim.published().find((a) => a.article_id === target.article_id)!;
    expect(after.news_item[0]!.is_deleted).toBe(true);
    expect(after.news_item.slice(1)).toEqual(target.news_item.slice(1));
    expect(after.update_time).toBeGreaterThan(target.update_time);
    expect(() => sim.deleteNewsItem(target.article_id, 99)).toThrow(/no news item/);
  });

  it("editMaterial renames and bumps update_time; unknown ids throw", () => {
    const [m] = sim.materials("video");
    sim.editMaterial(m!.media_id, { name: "新名字.mp4" });
    const [m2] = sim.materials("video");
    expect(m2).toMatchObject({ media_id: m!.media_id, name: "新名字.mp4" });
    expect(m2!.update_time).toBeGreaterThan(m!.update_time);
    const [n] = sim.materials("news");
    sim.editMaterial(n!.media_id);
    expect(sim.materials("news")[0]!.news_item![0]!.content).not.toBe(n!.news_item![0]!.content);
    expect(() => sim.editMaterial("nope")).toThrow(/no material nope/);
    expect(() => sim.deleteArticle("nope")).toThrow(/no article nope/);
  });
});
