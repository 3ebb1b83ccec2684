// How WeChat writes its answers: field order and shapes of the recorded responses,
// "/" escaped as "\/", errmsg with a " rid:" suffix, and the switchable body quirks.
import { randomBytes } from "node:crypto";
import { endpointMatches } from "./faults.ts";
import type { ArticleRec, ContentState, MaterialRec } from "./state.ts";
import type { BodyQuirks, SimArticle, SimMaterial, SimNewsItem } from "./types.ts";

const ERRMSG: Record<number, string> = {
  [-1]: "system error",
  40001: "invalid credential, access_token is invalid or not latest",
  40002: "invalid grant_type",
  40007: "invalid media_id",
  40013: "invalid appid",
  40014: "invalid access_token",
  40125: "invalid appsecret",
  40164: "invalid ip, not in whitelist",
  41001: "access_token missing",
  41002: "appid missing",
  41004: "appsecret missing",
  42001: "access_token expired",
  43002: "require POST method",
  45009: "reach max api daily quota limit",
  45011: "api minute-quota reach limit  mustslower  retry next minute",
  45106: "This API has been unsupported",
  47001: "data format error",
  48001: "api unauthorized",
  48004: "api forbidden for irregularities",
  48006: "api forbid to clear quota because of reach the times limit",
  50001: "user unauthorized",
  50002: "user limited",
  53600: "Article ID 无效",
  61006: "component ticket is invalid",
  61023: "refresh_token is invalid",
  76021: "cgi_path not found, please check",
  89503: "此IP调用需要管理员确认,请联系管理员",
};

export function errorBody(errcode: number): { errcode: number; errmsg: string } {
  const rid = randomBytes(12).toString("hex");
  const msg = ERRMSG[errcode] ?? "simulated error";
  return { errcode, errmsg: `${msg} rid: ${rid.slice(0, 8)}-${rid.slice(8, 16)}-${rid.slice(16)}` };
}

export function quirksApply(quirks: BodyQuirks, path: string): boolean {
  return quirks.endpoints === undefined || endpointMatches(path, quirks.endpoints);
}

/** The controlChars quirk changes values too: published()/materials() show the same titles. */
function withControlChars(title: string): string {
  return `${title.slice(0, 2)}\t${title.slice(2)}\u0001`;
}

function newsItemWire(item: SimNewsItem, q: BodyQuirks, published: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = {
    // controlChars already applied by servedArticle/servedMaterial
    title: item.title,
    author: item.author,
    digest: item.digest,
  };
  if (item.content !== undefined) o.content = item.content;
  o.content_source_url = item.content_source_url;
  o.thumb_media_id = item.thumb_media_id;
  o.show_cover_pic = item.show_cover_pic;
  o.url = item.url;
  o.thumb_url = item.thumb_url;
  o.need_open_comment = item.need_open_comment;
  o.only_fans_can_comment = item.only_fans_can_comment;
  // recorded material news items carry no is_deleted; freepublish ones do
  if (published) o.is_deleted = item.is_deleted;
  if (q.extraFields) {
    o.is_original = 0;
    o.sim_unknown_field = { introduced: "later", list: [1, 2] };
  }
  return o;
}

export function publishedItemWire(a: SimArticle, q: BodyQuirks): Record<string, unknown> {
  const news = a.news_item.map((n) => newsItemWire(n, q, true));
  const o: Record<string, unknown> = { article_id: a.article_id };
  if (q.updateTimeInContent) {
    o.content = { news_item: news, create_time: a.create_time, update_time: a.update_time };
  } else {
    o.content = { news_item: news };
    o.update_time = a.update_time;
  }
  if (q.extraFields) o.sim_extra = "unknown";
  return o;
}

export function materialItemWire(m: SimMaterial, q: BodyQuirks): Record<string, unknown> {
  let o: Record<string, unknown>;
  if (m.type === "news") {
    o = {
      media_id: m.media_id,
      content: { news_item: (m.news_item ?? []).map((n) => newsItemWire(n, q, false)), create_time: m.create_time, update_time: m.update_time },
      update_time: m.update_time,
    };
  } else {
    o = { media_id: m.media_id, name: m.name, update_time: m.update_time };
    if (m.url !== undefined) o.url = m.url;
  }
  if (q.extraFields) o.tags = [];
  return o;
}

/** published() as the API serves it under the given quirks (controlChars changes titles) */
export function servedArticle(state: ContentState, rec: ArticleRec, q: BodyQuirks, withContent = true): SimArticle {
  const a = state.article(rec, withContent);
  if (q.controlChars) for (const n of a.news_item) n.title = withControlChars(n.title);
  return a;
}

export function servedMaterial(state: ContentState, rec: MaterialRec, q: BodyQuirks): SimMaterial {
  const m = state.material(rec);
  if (q.controlChars) for (const n of m.news_item ?? []) n.title = withControlChars(n.title);
  return m;
}

/** JSON text as WeChat writes it: "\/" by default, raw control characters under that quirk. */
export function serialize(value: unknown, q: BodyQuirks): { body: Buffer; contentType: string } {
  let text = JSON.stringify(value);
  if (q.controlChars) {
    // walk escapes left to right so an escaped backslash is never mistaken for a \t
    text = text.replace(/\\(u00[01][0-9a-fA-F]|.)/g, (m, esc: string) => {
      if (esc === "t") return "\t";
      if (esc.length === 5 && esc !== "u0000") return String.fromCharCode(parseInt(esc.slice(1), 16));
      return m;
    });
  }
  if (q.escapeSlashes !== false) text = text.replace(/\//g, "\\/");
  if (q.bom) text = `\ufeff${text}`;
  return {
    body: Buffer.from(text, "utf8"),
    contentType: q.textPlain ? "text/plain" : "application/json; encoding=utf-8",
  };
}
