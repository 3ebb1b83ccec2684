// The XML of pushes: parsed with fast-xml-parser, every value a string (ids stay exact),
// repeated elements always arrays, and any DOCTYPE or entity declaration refused before
// parsing (no entity expansion, no external references: the body is untrusted).
import { XMLParser, XMLValidator } from "fast-xml-parser";

/** A body that is not one well-formed <xml> document of plain elements. */
export class PushXmlError extends Error {
  override readonly name = "PushXmlError";
}

const REPEATED = new Set(["item", "fail_idx"]);

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  // only XML's five predefined entities remain possible: declarations are refused below
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => REPEATED.has(name),
});

export type XmlValue = string | XmlObject | XmlValue[];
export interface XmlObject {
  [name: string]: XmlValue;
}

/** The children of the root <xml> element. */
export function parsePushXml(text: string): XmlObject {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new PushXmlError("DOCTYPE and entity declarations are refused");
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new PushXmlError(`not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`);
  const doc = parser.parse(text) as Record<string, unknown>;
  const root = doc.xml;
  if (root === null || typeof root !== "object" || Array.isArray(root)) throw new PushXmlError("the root element must be <xml> with child elements");
  return root as XmlObject;
}

const cdata = (v: string): string => `<![CDATA[${v.replaceAll("]]>", "]]]]><![CDATA[>")}]]>`;

/** <xml> with one element per field, text in CDATA (what WeChat sends and SDKs build). */
export function buildPushXml(fields: Record<string, string | number | Record<string, unknown>>): string {
  const body = (o: Record<string, unknown>): string =>
    Object.entries(o)
      .map(([k, v]) => {
        if (Array.isArray(v)) return v.map((x) => `<${k}>${typeof x === "object" && x !== null ? body(x as Record<string, unknown>) : typeof x === "number" ? x : cdata(String(x))}</${k}>`).join("");
        if (typeof v === "object" && v !== null) return `<${k}>${body(v as Record<string, unknown>)}</${k}>`;
        return `<${k}>${typeof v === "number" ? v : cdata(String(v))}</${k}>`;
      })
      .join("");
  return `<xml>${body(fields)}</xml>`;
}
