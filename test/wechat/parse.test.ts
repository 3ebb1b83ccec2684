// The parser over the project's own fixtures (test/fixtures/wechat): every list, count
// and token shape WeChat is known to send, plus the quirks and the malformed cases.
import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { apiError, cleanErrmsg } from "../../src/wechat/errcodes.ts";
import {
  MalformedResponseError,
  QuotaExhaustedError,
  RateLimitedError,
  TokenInvalidError,
  TransientError,
  TransportError,
  UnexpectedResponseError,
} from "../../src/wechat/errors.ts";
import { ContradictoryResponseError } from "../../src/wechat/contradiction.ts";
import { FAIL_AT_ONCE } from "./harness.ts";
import { escapeControlCharsInStrings, parseJsonBody } from "../../src/wechat/parse.ts";
import {
  readAccessToken,
  readAuthorizerToken,
  readComponentToken,
  readMaterialCount,
  readMaterialPage,
  readPublishedPage,
  readQuota,
} from "../../src/wechat/responses.ts";

const dir = new URL("../fixtures/wechat/", import.meta.url);
const bytes = (name: string) => new Uint8Array(readFileSync(new URL(name, dir)));
const json = (name: string) => parseJsonBody(bytes(name), "/test", 200);

// Each good fixture names its response type by prefix; the check says what a correct
// parse of that type must hold, so a fixture read by the wrong reader fails.
type Check = (f: string) => void;
const page = (p: { totalCount: number; itemCount: number; items: unknown[] }): void => {
  expect(p.items.length).toBe(p.itemCount);
  expect(p.totalCount).toBeGreaterThanOrEqual(p.itemCount);
};
const token = (t: { token: string; expiresInSeconds: number }): void => {
  expect(t.token).toMatch(/\S/);
  expect(t.expiresInSeconds).toBeGreaterThan(0);
};
const material = (type: "image" | "video" | "voice" | "news") => (f: string) => {
  const p = readMaterialPage(json(f), type, 1);
  page(p);
  // a news page carries news items (WeChat's own doc sample mixes in one image item)
  if (type === "news") expect(p.items.some((it) => it.newsItems.length > 0)).toBe(true);
  for (const it of p.items) {
    expect(it.mediaId).toMatch(/\S/);
    if (type !== "news") expect(it.newsItems).toEqual([]);
    if (type === "image") expect(it.url).toMatch(/^https?:\/\//); // images have a URL, video/voice none
    if (type === "video" || type === "voice") expect(it.url).toBeNull();
  }
};
const CHECKS: [RegExp, Check][] = [
  [/^publish_batchget_/, (f) => {
    const p = readPublishedPage(json(f), 1);
    page(p);
    for (const it of p.items) expect(it.articleId).toMatch(/\S/);
  }],
  [/^material_image/, material("image")],
  [/^material_news/, material("news")],
  [/^material_video/, material("video")],
  [/^material_voice/, material("voice")],
  [/^materialcount/, (f) => {
    const c = readMaterialCount(json(f));
    for (const n of Object.values(c)) expect(Number.isInteger(n) && n >= 0).toBe(true);
  }],
  [/^quota_get/, (f) => {
    const q = readQuota(json(f));
    expect(q.used + q.remain).toBe(q.dailyLimit);
  }],
  [/^(token|stable_token)/, (f) => token(readAccessToken(json(f), "/cgi-bin/token"))],
  [/^component_token/, (f) => token(readComponentToken(json(f)))],
  [/^authorizer_token/, (f) => {
    const t = readAuthorizerToken(json(f));
    token(t);
    expect(t.refreshToken).toMatch(/\S/);
  }],
];

describe("fixtures", () => {
  // every fixture that is not an error/malformed/truncated sample must parse into its type
  const good = readdirSync(dir).filter((f) => f.endsWith(".json") && !/^(error_|malformed_|truncated_)/.test(f));

  it("covers every response type with at least one fixture", () => {
    expect(good.length).toBeGreaterThanOrEqual(18);
    for (const [re] of CHECKS) expect(good.some((f) => re.test(f)), String(re)).toBe(true);
  });

  it.each(good)("parses %s as its own response type", (f) => {
    const matching = CHECKS.filter(([re]) => re.test(f));
    expect(matching, `exactly one reader for ${f}`).toHaveLength(1);
    matching[0]![1](f);
  });
});

describe("tolerance", () => {
  it("strips a UTF-8 BOM", () => {
    expect(bytes("publish_batchget_doc_bom.json").slice(0, 3)).toEqual(new Uint8Array([0xef, 0xbb, 0xbf]));
    const page = readPublishedPage(json("publish_batchget_doc_bom.json"), 1);
    expect(page.items[0]?.articleId).toBe("ART_DOC_1");
    expect(page.items[0]?.updateTime).toBe(1700000000);
    expect(readMaterialCount(json("materialcount_doc_bom.json"))).toEqual({ image: 0, video: 0, voice: 0, news: 0 });
    expect(readQuota(json("quota_get_doc_bom.json"))).toEqual({ dailyLimit: 100000, used: 12, remain: 99988 });
  });

  it("takes create/update time from content when the item has none (2021 recording) and unescapes \\/", () => {
    const page = readPublishedPage(json("publish_batchget_2021_content_times.json"), 1);
    expect(page).toMatchObject({ totalCount: 1, itemCount: 1, attempts: 1 });
    const item = page.items[0]!;
    expect(item).toMatchObject({ articleId: "pub2021-Kq8mZ0aa", createTime: 1633000100, updateTime: 1633000160 });
    expect(item.newsItems[0]?.url).toBe("http://mp.weixin.qq.com/s?__biz=MzA5&mid=2650&idx=1#rd");
    expect(item.newsItems[0]?.content).toContain('data-src="http://mmbiz.qpic.cn/');
  });

  it("keeps deleted flags, ignores unknown fields and nulls missing optional ones", () => {
    const page = readPublishedPage(json("publish_batchget_multi_deleted_extra.json"), 1);
    expect(page.items.map((i) => i.newsItems.map((n) => n.isDeleted))).toEqual([[false, true], [false]]);
    expect(page.items[1]?.newsItems[0]).toEqual({
      title: "minimal", author: null, digest: null, content: null, contentSourceUrl: null, thumbMediaId: null, thumbUrl: null,
      showCoverPic: null, needOpenComment: null, onlyFansCanComment: null, url: null, isDeleted: false,
    });
    expect(page.items[0]?.newsItems[1]).not.toHaveProperty("brand_new_field");
    expect(page.items[0]?.createTime).toBeNull();
  });

  it("escapes raw control characters inside strings instead of failing", () => {
    const raw = bytes("publish_batchget_control_chars.json");
    expect(() => JSON.parse(Buffer.from(raw).toString("utf8"))).toThrow(SyntaxError);
    const n = readPublishedPage(parseJsonBody(raw, "/t", 200), 1).items[0]!.newsItems[0]!;
    expect(n.title).toBe("tab\there");
    expect(n.digest).toBe("line1\nline2\r\u0001end");
    expect(n.content).toBe("<p>\u000b</p>");
    // outside strings and after escaped quotes nothing changes
    expect(escapeControlCharsInStrings('{\n\t"a": "x\\"\ny"}')).toBe('{\n\t"a": "x\\"\\u000ay"}');
  });

  it("material news: content.create_time kept, item update_time preferred; image url kept; video/voice without url", () => {
    const news = readMaterialPage(json("material_news_recorded.json"), "news", 2);
    expect(news.items[0]).toMatchObject({ mediaId: "mat-news-9fXc1", type: "news", createTime: 1552000000, updateTime: 1552100000 });
    expect(news.items[0]?.newsItems).toHaveLength(2);
    const doc = readMaterialPage(json("material_news_doc_bom.json"), "news", 1);
    expect(doc.items.map((i) => [i.createTime, i.updateTime])).toEqual([[112233, 223344], [null, 334455]]);
    const img = readMaterialPage(json("material_image.json"), "image", 1);
    expect(img.items[0]).toMatchObject({ mediaId: "img-media-aa1", name: "封面图1.jpg", url: "http://mmbiz.qpic.cn/mmbiz/img1/0?wx_fmt=jpeg", newsItems: [] });
    const vid = readMaterialPage(json("material_video_no_url.json"), "video", 1);
    expect(vid.items.map((i) => [i.mediaId, i.url, i.updateTime])).toEqual([["vid-media-01", null, 1465100200], ["vid-media-00", null, 1465100100]]);
    expect(readMaterialPage(json("material_voice_no_url.json"), "voice", 1).items[0]?.type).toBe("voice");
  });

  it("reads counts and every token shape", () => {
    expect(readMaterialCount(json("materialcount.json"))).toEqual({ image: 31, video: 2, voice: 5, news: 7 });
    expect(readAccessToken(json("token.json"), "/t")).toEqual({ token: "legacy-fixture-token-0001", expiresInSeconds: 7200 });
    expect(readAccessToken(json("stable_token.json"), "/t")).toEqual({ token: "stable-fixture-token-0002", expiresInSeconds: 6840 });
    expect(readComponentToken(json("component_token.json")).token).toBe("component-fixture-token-0003");
    expect(readAuthorizerToken(json("authorizer_token.json"))).toEqual({ token: "authorizer-fixture-token-0004", expiresInSeconds: 7200, refreshToken: "refresh-fixture-0005" });
  });
});

describe("strictness", () => {
  it("an item without its key is malformed, naming the field", () => {
    const e = (() => {
      try {
        readPublishedPage(json("malformed_publish_missing_article_id.json"), 1);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(MalformedResponseError);
    expect(e).toBeInstanceOf(UnexpectedResponseError); // fails at once
    expect(e).toMatchObject({ field: "item[3].article_id", endpoint: "/cgi-bin/freepublish/batchget" });
    expect((e as Error).message).toContain("item[3].article_id is missing");
  });

  it("an empty key is malformed too", () => {
    expect(() => readMaterialPage({ total_count: 1, item_count: 1, item: [{ media_id: "" }] }, "image", 1)).toThrow(
      expect.objectContaining({ field: "item[0].media_id" }),
    );
  });

  it("item_count disagreeing with the items is a contradiction: malformed, retried as transient", () => {
    const e = (() => {
      try {
        readMaterialPage(json("malformed_material_item_count_mismatch.json"), "image", 1);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(ContradictoryResponseError);
    expect(e).toBeInstanceOf(TransientError); // a bad answer of the moment: retried
    expect(e).toMatchObject({ field: "item_count" });
  });

  it("contradictions: no item, a page shorter than the total allows, items without news items when content was asked for", () => {
    const req = { offset: 0, count: 20, contentRequested: true };
    const field = (f: () => unknown): unknown => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(ContradictoryResponseError);
        return (err as ContradictoryResponseError).field;
      }
      return "no error";
    };
    expect(field(() => readMaterialPage({ total_count: 0, item_count: 0 }, "voice", 1, req))).toBe("item");
    expect(field(() => readMaterialPage({ total_count: 0, item_count: 0, item: null }, "voice", 1, req))).toBe("item");
    // the true total with an empty page; and a last page one short
    expect(field(() => readMaterialPage({ total_count: 45, item_count: 0, item: [] }, "image", 1, { ...req, offset: 20 }))).toBe("item");
    const imgs = (n: number) => Array.from({ length: n }, (_, i) => ({ media_id: `m${i}` }));
    expect(field(() => readMaterialPage({ total_count: 45, item_count: 4, item: imgs(4) }, "image", 1, { ...req, offset: 40 }))).toBe("item");
    expect(readMaterialPage({ total_count: 45, item_count: 5, item: imgs(5) }, "image", 1, { ...req, offset: 40, contentRequested: false }).items).toHaveLength(5);
    // an empty list that says so is no contradiction; nor is a page past the end
    expect(readPublishedPage({ total_count: 0, item_count: 0, item: [] }, 1, req).items).toEqual([]);
    expect(readPublishedPage({ total_count: 3, item_count: 0, item: [] }, 1, { ...req, offset: 20 }).items).toEqual([]);
    const art = (content: unknown) => ({ total_count: 1, item_count: 1, item: [{ article_id: "a1", update_time: 1, ...(content === undefined ? {} : { content }) }] });
    expect(field(() => readPublishedPage(art(undefined), 1, req))).toBe("item[0].content");
    expect(field(() => readPublishedPage(art({ news_item: [] }), 1, req))).toBe("item[0].content.news_item");
    expect(field(() => readPublishedPage(art({}), 1, req))).toBe("item[0].content.news_item");
    // no_content: 1 asks for no bodies, so an item without them is what was asked for
    expect(readPublishedPage(art(undefined), 1, { ...req, contentRequested: false }).items[0]?.newsItems).toEqual([]);
  });

  it("missing counts and token fields are malformed", () => {
    expect(() => readMaterialCount({ voice_count: 1, video_count: 1, image_count: 1 })).toThrow(expect.objectContaining({ field: "news_count" }));
    expect(() => readAccessToken({ expires_in: 7200 }, "/cgi-bin/token")).toThrow(expect.objectContaining({ field: "access_token" }));
    expect(() => readPublishedPage({ item_count: 0, item: [] }, 1)).toThrow(expect.objectContaining({ field: "total_count" }));
  });

  it("a truncated or non-JSON body is a transient TransportError", () => {
    expect(() => parseJsonBody(bytes("truncated_publish.json"), "/cgi-bin/freepublish/batchget", 200)).toThrow(TransportError);
    expect(() => parseJsonBody(new TextEncoder().encode("<html>502</html>"), "/x", 200)).toThrow(TransientError);
  });
});

describe("errcodes", () => {
  it("strips rid and hint suffixes from errmsg", () => {
    const body = json("error_40001_rid_hint.json") as { errcode: number; errmsg: string };
    const e = apiError(body.errcode, body.errmsg, "/cgi-bin/freepublish/batchget");
    expect(e).toBeInstanceOf(TokenInvalidError);
    expect(e.errmsg).toBe("invalid credential, access_token is invalid or not latest, could get access_token by getStableAccessToken, more details at https://mmbizurl.cn/s/JtxxFh33r");
    expect(cleanErrmsg("system error rid: 1234")).toBe("system error");
    expect(cleanErrmsg(undefined)).toBe("");
  });

  it.each([
    [-1, "TransientError", TransientError],
    [40001, "TokenInvalidError", TokenInvalidError],
    [40014, "TokenInvalidError", TokenInvalidError],
    [42001, "TokenInvalidError", TokenInvalidError],
    [45011, "RateLimitedError", RateLimitedError],
    [45009, "QuotaExhaustedError", QuotaExhaustedError],
    ...FAIL_AT_ONCE,
  ])("errcode %i is a %s", (code, name, Cls) => {
    const e = apiError(code, "msg", "/e", "wxapp");
    expect(e).toBeInstanceOf(Cls);
    expect(e.name).toBe(name);
    expect(e.errcode).toBe(code);
    expect(e.message).toContain("for appId wxapp");
  });
});
