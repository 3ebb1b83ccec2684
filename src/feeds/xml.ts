// Well-formed XML whatever the content: text and attribute values are escaped (never put in
// CDATA, where "]]>" would end the section), and characters XML 1.0 forbids (control
// characters, lone surrogates, U+FFFE/U+FFFF) are removed.

const FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** The text without the characters XML forbids (JSON feeds drop them too: the same text in every format). */
export function xmlChars(s: string): string {
  return s.replace(FORBIDDEN, "");
}

/** Text XML can carry, escaped for element content and attribute values alike. */
export function xmlText(s: string): string {
  return xmlChars(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}

/** Attribute values (undefined: the attribute is left out). */
export type Attrs = Record<string, string | number | undefined>;

const attrs = (a: Attrs): string =>
  Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlText(String(v))}"`)
    .join("");

/** An element with text content (null or undefined: left out). */
export function textElement(name: string, text: string | null | undefined, a: Attrs = {}): string {
  return text === null || text === undefined ? "" : `<${name}${attrs(a)}>${xmlText(text)}</${name}>`;
}

/** An element with children already serialised. */
export function element(name: string, children: string, a: Attrs = {}): string {
  return `<${name}${attrs(a)}>${children}</${name}>`;
}

export function emptyElement(name: string, a: Attrs): string {
  return `<${name}${attrs(a)}/>`;
}
