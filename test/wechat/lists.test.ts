// The list, count and quota calls over real HTTP against the simulator, with every
// response quirk WeChat is known for switched on.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/simulator/index.ts";
import { ContradictoryResponseError, MalformedResponseError, ResponseTooLargeError, TransientError } from "../../src/wechat/index.ts";
import { createTestRedis } from "../helpers/db.ts";
import { APP, makeClient, rejectionOf } from "./harness.ts";

const { redis, prefix } = createTestRedis();
let sim: Simulator;
let client: ReturnType<typeof makeClient>;

beforeAll(async () => {
  sim = await startSimulator({
    apps: [APP],
    seed: { seed: 7, published: 27, maxNewsItems: 3, contentBytes: 600, deletedNewsItemRate: 0.3, materials: { image: 5, video: 3, voice: 2, news: 4 } },
  });
});
// a client with a token cache of its own per test: no test inherits another's token
let n = 0;
beforeEach(() => {
  client = makeClient({ url: sim.url, redis, prefix: `${prefix}:${++n}` });
});
afterEach(async () => {
  sim.setFaults({});
  await client.close();
});
afterAll(async () => {
  await sim?.close();
});

describe("lists", () => {
  it("pages through the published list and matches the simulator's content", async () => {
    const first = await client.batchGetPublished({ offset: 0, count: 20 });
    const second = await client.batchGetPublished({ offset: 20, count: 20 });
    expect(first).toMatchObject({ totalCount: 27, itemCount: 20 });
    expect(second.itemCount).toBe(7);
    const expected = sim.published();
    const got = [...first.items, ...second.items];
    expect(got.map((i) => i.articleId)).toEqual(expected.map((a) => a.article_id));
    expect(got.map((i) => i.updateTime)).toEqual(expected.map((a) => a.update_time));
    expect(got.map((i) => i.newsItems.map((n) => [n.title, n.content, n.url, n.isDeleted]))).toEqual(
      expected.map((a) => a.news_item.map((n) => [n.title, n.content, n.url, n.is_deleted])),
    );
    // the first call fetched the token; the second did not
    expect(first.attempts).toBe(2);
    expect(second.attempts).toBe(1);
    // the observer saw each request once, by path only, and the one token refresh
    expect(client.recorder.requests.map((e) => [e.endpoint, e.status, e.errcode])).toEqual([
      ["/cgi-bin/stable_token", 200, 0],
      ["/cgi-bin/freepublish/batchget", 200, 0],
      ["/cgi-bin/freepublish/batchget", 200, 0],
    ]);
    expect(client.recorder.requests.every((e) => e.appId === APP.appId && e.durationMs >= 0)).toBe(true);
    expect(client.recorder.refreshes).toEqual([{ appId: APP.appId, kind: "stable" }]);
  });

  it("no_content leaves the bodies out", async () => {
    const page = await client.batchGetPublished({ offset: 0, count: 5, noContent: true });
    expect(page.items).toHaveLength(5);
    expect(page.items.flatMap((i) => i.newsItems).every((n) => n.content === null && n.title !== null)).toBe(true);
  });

  it("reads every material type: image with url, video and voice without, news with its times", async () => {
    const img = await client.batchGetMaterial({ type: "image", offset: 0, count: 20 });
    expect(img.items.map((m) => [m.mediaId, m.url])).toEqual(sim.materials("image").map((m) => [m.media_id, m.url]));
    expect(img.items.every((m) => m.type === "image" && m.url?.startsWith("http"))).toBe(true);
    for (const type of ["video", "voice"] as const) {
      const page = await client.batchGetMaterial({ type, offset: 0, count: 20 });
      expect(page.items.map((m) => [m.mediaId, m.name, m.url, m.updateTime])).toEqual(
        sim.materials(type).map((m) => [m.media_id, m.name, null, m.update_time]),
      );
    }
    const news = await client.batchGetMaterial({ type: "news", offset: 1, count: 2 });
    const simNews = sim.materials("news").slice(1, 3);
    expect(news.items.map((m) => [m.mediaId, m.createTime, m.updateTime, m.newsItems.length])).toEqual(
      simNews.map((m) => [m.media_id, m.create_time, m.update_time, m.news_item?.length]),
    );
  });

  it("reads the material count and an API quota", async () => {
    expect(await client.getMaterialCount()).toEqual({ image: 5, video: 3, voice: 2, news: 4 });
    const q = await client.getQuota("/cgi-bin/freepublish/batchget");
    expect(q.dailyLimit).toBeGreaterThan(0);
    expect(q.used + q.remain).toBe(q.dailyLimit);
  });

  it("a count outside 1..20 throws RangeError before any request", async () => {
    sim.resetCounters();
    await expect(client.batchGetPublished({ offset: 0, count: 21 })).rejects.toBeInstanceOf(RangeError);
    await expect(client.batchGetPublished({ offset: 0, count: 0 })).rejects.toBeInstanceOf(RangeError);
    await expect(client.batchGetMaterial({ type: "image", offset: -1, count: 5 })).rejects.toBeInstanceOf(RangeError);
    expect(sim.counters().calls).toEqual({});
  });
});

describe("response quirks", () => {
  it.each([
    ["bom", { bom: true }],
    ["text/plain", { textPlain: true }],
    ["raw control characters", { controlChars: true }],
    ["unknown extra fields", { extraFields: true }],
    ["no \\/ escaping", { escapeSlashes: false }],
    ["all at once", { bom: true, textPlain: true, controlChars: true, extraFields: true }],
  ])("accepts %s", async (_name, quirks) => {
    sim.setQuirks(quirks);
    try {
      const pub = await client.batchGetPublished({ offset: 0, count: 20 });
      expect(pub.items.map((i) => i.newsItems.map((n) => n.title))).toEqual(sim.published().slice(0, 20).map((a) => a.news_item.map((n) => n.title)));
      const news = await client.batchGetMaterial({ type: "news", offset: 0, count: 20 });
      expect(news.items.map((m) => m.newsItems.map((n) => n.title))).toEqual(sim.materials("news").map((m) => m.news_item?.map((n) => n.title)));
      expect(await client.getMaterialCount()).toEqual({ image: 5, video: 3, voice: 2, news: 4 });
    } finally {
      sim.setQuirks({});
    }
  });

  it("control characters arrive intact", async () => {
    sim.setQuirks({ controlChars: true });
    try {
      const pub = await client.batchGetPublished({ offset: 0, count: 1 });
      const title = pub.items[0]?.newsItems[0]?.title ?? "";
      expect(title).toMatch(/\t.*\u0001$/);
      expect(title).toBe(sim.published()[0]?.news_item[0]?.title);
    } finally {
      sim.setQuirks({});
    }
  });

  it("takes create/update time from content when the item has none (2021 shape)", async () => {
    sim.setQuirks({ updateTimeInContent: true });
    try {
      const pub = await client.batchGetPublished({ offset: 0, count: 20 });
      const expected = sim.published().slice(0, 20);
      expect(pub.items.map((i) => [i.createTime, i.updateTime])).toEqual(expected.map((a) => [a.create_time, a.update_time]));
      expect(pub.items.every((i) => i.updateTime !== null)).toBe(true);
    } finally {
      sim.setQuirks({});
    }
  });
});

describe("rejections", () => {
  it("a page with an item missing its key is rejected, naming the field, without retry", async () => {
    sim.setFaults({ malformedPages: 1, malformedKind: "missing-id" });
    sim.resetCounters();
    const e = await rejectionOf(client.batchGetPublished({ offset: 0, count: 20 }));
    expect(e).toBeInstanceOf(MalformedResponseError);
    expect((e as MalformedResponseError).field).toBe("item[10].article_id");
    expect(sim.counters().calls["/cgi-bin/freepublish/batchget"]).toBe(1);
    sim.setFaults({});
  });

  it("a page whose item_count disagrees with its items is rejected", async () => {
    sim.setFaults({ malformedPages: 100, malformedKind: "item-count" });
    const e = await rejectionOf(client.batchGetMaterial({ type: "image", offset: 0, count: 20 }));
    expect(e).toBeInstanceOf(ContradictoryResponseError);
    expect(e).toBeInstanceOf(TransientError); // retried, not failed at once
    expect(e).toMatchObject({ field: "item_count" });
    sim.setFaults({});
  });

  it("a response over the size cap fails with ResponseTooLargeError and is not retried", async () => {
    const small = makeClient({ url: sim.url, redis, prefix }, { transport: { maxResponseBytes: 4_000 } });
    try {
      sim.resetCounters();
      const e = await rejectionOf(small.batchGetPublished({ offset: 0, count: 20 }));
      expect(e).toBeInstanceOf(ResponseTooLargeError);
      expect(e).toMatchObject({ limitBytes: 4_000, endpoint: "/cgi-bin/freepublish/batchget" });
      expect(sim.counters().calls["/cgi-bin/freepublish/batchget"]).toBe(1);
      // a small page still fits
      expect((await small.batchGetPublished({ offset: 0, count: 1, noContent: true })).items).toHaveLength(1);
    } finally {
      await small.close();
    }
  });
});

describe("contradictions: retried as transient, then fail naming the field", () => {
  const cases = [
    { kind: "empty-page", field: "item", call: () => client.batchGetPublished({ offset: 20, count: 20 }) },
    { kind: "no-item", field: "item", call: () => client.batchGetMaterial({ type: "voice", offset: 0, count: 20 }) },
    { kind: "no-content", field: "item[0].content", call: () => client.batchGetPublished({ offset: 0, count: 20 }) },
    { kind: "empty-news-item", field: "item[0].content.news_item", call: () => client.batchGetMaterial({ type: "news", offset: 0, count: 20 }) },
    { kind: "item-count", field: "item_count", call: () => client.batchGetMaterial({ type: "image", offset: 0, count: 20 }) },
  ] as const;
  // counts below are of list requests: the token is fetched beforehand
  beforeEach(async () => {
    await client.getMaterialCount();
  });

  it.each(cases)("$kind: every attempt refused, the error names $field", async ({ kind, field, call }) => {
    sim.setFaults({ malformedPages: 100, malformedKind: kind });
    sim.resetCounters();
    try {
      const e = await rejectionOf(call());
      expect(e).toBeInstanceOf(ContradictoryResponseError);
      expect(e).toBeInstanceOf(TransientError);
      expect(e).toMatchObject({ field });
      expect(e.message).toContain(field);
      // the client's transient budget (5 attempts), not one
      const calls = Object.values(sim.counters().calls).reduce((a, b) => a + b, 0);
      expect(calls).toBe(5);
    } finally {
      sim.setFaults({});
    }
  });

  it.each(cases)("$kind once: the retry gets the true page", async ({ kind, call }) => {
    sim.setFaults({ malformedPages: 1, malformedKind: kind });
    try {
      const page = await call();
      expect(page.items.length).toBeGreaterThan(0);
      expect(page.attempts).toBe(2);
    } finally {
      sim.setFaults({});
    }
  });

  it("no_content: 1 asks for no bodies: an item without content is what was asked for", async () => {
    sim.setFaults({ malformedPages: 1, malformedKind: "no-content" });
    try {
      const page = await client.batchGetPublished({ offset: 0, count: 20, noContent: true });
      expect(page.attempts).toBe(1);
      expect(page.items.every((i) => i.newsItems.length === 0)).toBe(true);
    } finally {
      sim.setFaults({});
    }
  });
});
