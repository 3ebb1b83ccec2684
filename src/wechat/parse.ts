// Body bytes → JSON value, tolerant of what WeChat really sends: a UTF-8 BOM, any
// content type, raw control characters inside strings. Anything still unparsable is a
// TransportError (usually a truncated body), so the retry policy treats it as transient.
import type { z } from "zod";
import { MalformedResponseError, TransportError } from "./errors.ts";

const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });

/** Escapes raw U+0000..U+001F inside JSON strings, which JSON.parse rejects. */
export function escapeControlCharsInStrings(text: string): string {
  // fast path: nothing to do in the common case
  if (!/[\u0000-\u001f]/.test(text)) return text;
  let out = "";
  let inString = false;
  let escaped = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (escaped) escaped = false;
      else if (code === 0x5c) escaped = true;
      else if (code === 0x22) inString = false;
      else if (code < 0x20) {
        out += text.slice(start, i) + "\\u" + code.toString(16).padStart(4, "0");
        start = i + 1;
      }
    } else if (code === 0x22) inString = true;
  }
  return out + text.slice(start);
}

export function parseJsonBody(bytes: Uint8Array, endpoint: string, status: number | null): unknown {
  // TextDecoder drops a leading BOM (ignoreBOM: false)
  const text = decoder.decode(bytes);
  try {
    return JSON.parse(text);
  } catch {
    // rare: scanning every body for control characters first cost more than this retry
  }
  try {
    return JSON.parse(escapeControlCharsInStrings(text));
  } catch {
    throw new TransportError(`WeChat ${endpoint} returned a body that is not JSON (${bytes.length} bytes)`, endpoint, status);
  }
}

/** "item[3].article_id" from a zod issue path. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || "(body)";
}

/** Validates with a zod schema; the first problem becomes a MalformedResponseError naming the field. */
export function validate<S extends z.ZodType>(schema: S, data: unknown, endpoint: string): z.output<S> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue ? fieldPath(issue.path) : "(body)";
  const detail = !issue ? "is invalid" : valueAt(data, issue.path) === undefined ? "is missing" : issue.message;
  throw new MalformedResponseError(endpoint, field, detail);
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}
