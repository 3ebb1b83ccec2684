// Text Postgres can store: NUL characters (text columns refuse them, jsonb refuses \u0000)
// and lone UTF-16 surrogates (no UTF-8 form; jsonb refuses their escapes) are removed.
// WeChat sends both now and then (a pasted title); one of them must not stop a source.

const UNSTORABLE = "\\u0000|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]";
const FIND = new RegExp(UNSTORABLE);
const ALL = new RegExp(UNSTORABLE, "g");

/** Removes what Postgres cannot store, counting it (a run reports the total as removed_chars). */
export class TextCleaner {
  removed = 0;

  text<T extends string | null>(s: T): T {
    // the common case: one scan, no copy
    if (s === null || !FIND.test(s)) return s;
    const out = s.replace(ALL, "");
    this.removed += s.length - out.length;
    return out as T;
  }
}
