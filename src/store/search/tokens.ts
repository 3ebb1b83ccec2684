// The search document's token streams, made in the sync process: the same rules as the SQL
// functions of the search migration (mpsync_search_text, _normalize, _tokens), which index
// rows written before it and parse queries. Postgres's regex engine takes milliseconds per
// 4 KB body for these passes, V8's microseconds, so the page write sends the streams and
// Postgres only turns them into lexemes (mpsync_search_vector: English stems, weights).
// test/store/search-index.test.ts checks both sides give the same vectors.

/** Characters a search document keeps of each field (the tsvector's 16,383 positions). */
export const SEARCH_LIMITS = { title: 1000, digest: 1000, body: 14000 } as const;

const CJK = "\\u3040-\\u309f\\u30a0-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uac00-\\ud7af\\uf900-\\ufaff\\u{20000}-\\u{3134f}";
const WORD = "0-9A-Za-z\\u00c0-\\u00d6\\u00d8-\\u00f6\\u00f8-\\u024f";
const HIDDEN = ["script", "style", "noscript", "template", "textarea", "title"];
const BLOCK = "p|div|section|br|img|li|h[1-6]|tr|td|th|blockquote|hr|table|ul|ol|figure|pre|video";
const ATTRS = `(?:"[^"]*"|'[^']*'|[^'">])*`;

const COMMENT = /<!--(?:[^-]|-(?!->))*(?:-->|$)/g;
const HIDDEN_ELEMENT = new RegExp(HIDDEN.map((t) => `<${t}(?:[ \\t\\n\\r\\f/][^>]*)?>(?:[^<]|<(?!\\/${t}))*(?:<\\/${t}[^>]*>|$)`).join("|"), "gi");
const BLOCK_TAG = new RegExp(`<\\/?(?:${BLOCK})(?:[ \\t\\n\\r\\f/]${ATTRS})?>`, "gi");
const TAG = new RegExp(`<[A-Za-z/!?]${ATTRS}>`, "g");
const NUMERIC_REF = /&#([xX][0-9A-Fa-f]{1,6}|[0-9]{1,7});/g;
const FULLWIDTH = /[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/g;
const NOT_WORD = new RegExp(`[^${WORD}${CJK}]+`, "gu");
const CJK_RUN = new RegExp(`([${CJK}]+)`, "gu");
const CJK_CHAR = new RegExp(`([${CJK}])`, "gu");
const RUN_START = new RegExp(` [${CJK}]`, "gu");
const CJK_PAIR = new RegExp(`([${CJK}]{2})`, "gu");

/** The first `n` characters (code points, as Postgres's left() counts them). */
function left(s: string, n: number): string {
  if (s.length <= n) return s;
  let i = 0;
  let count = 0;
  while (i < s.length && count < n) {
    i += s.codePointAt(i)! > 0xffff ? 2 : 1;
    count++;
  }
  return s.slice(0, i);
}

/** An HTML body's text as a reader sees it (mpsync_search_text). */
export function searchText(html: string | null): string {
  let s = (html ?? "")
    .replace(COMMENT, " ")
    .replace(HIDDEN_ELEMENT, " ")
    .replace(BLOCK_TAG, " ")
    .replace(TAG, "")
    .replaceAll("&nbsp;", " ")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&apos;", "'")
    .replaceAll("&amp;", "&")
    .replace(/[ \t\n\r\f\v]+/g, " ")
    .replace(/^ +| +$/g, "");
  if (s.includes("&#")) {
    s = s.replace(NUMERIC_REF, (_, ref: string) => {
      const cp = ref[0] === "x" || ref[0] === "X" ? parseInt(ref.slice(1), 16) : parseInt(ref, 10);
      return cp >= 1 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : " ";
    });
  }
  return s;
}

/** mpsync_search_normalize: CJK runs and words, space separated; fullwidth letters and digits as ASCII. */
function normalize(t: string): string {
  return t
    .replace(FULLWIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(NOT_WORD, " ")
    .replace(CJK_RUN, " $1 ");
}

/** mpsync_search_tokens: every CJK character becomes the pair it starts (a run's last stays single). */
export function searchTokens(t: string | null): string {
  return normalize(t ?? "")
    .replace(CJK_CHAR, "$1$1")
    .replace(RUN_START, " ")
    .replace(CJK_PAIR, "$1 ");
}

/** The three streams mpsync_search_vector(title, digest, body) takes. */
export function searchStreams(item: { title: string | null; digest: string | null; content: string | null }): { st: string; sd: string; sb: string } {
  return {
    st: searchTokens(left(item.title ?? "", SEARCH_LIMITS.title)),
    sd: searchTokens(left(item.digest ?? "", SEARCH_LIMITS.digest)),
    sb: searchTokens(left(searchText(item.content), SEARCH_LIMITS.body)),
  };
}
