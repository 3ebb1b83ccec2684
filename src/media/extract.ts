// Every media URL a piece of WeChat HTML references: <img> data-src and src, CSS url(...)
// in style attributes and <style> elements. Read with htmlparser2's streaming parser (no
// DOM is built): a full sync feeds every body through here.
import { Parser } from "htmlparser2";
import { cssUrls } from "./css.ts";
import { absoluteMediaUrl } from "./urls.ts";

/** Absolute http(s) URLs in document order, each once. Filter by host with createHostMatcher. */
export function extractMediaUrls(html: string | null | undefined): string[] {
  if (!html) return [];
  const found = new Set<string>();
  const add = (raw: string | undefined): void => {
    const u = absoluteMediaUrl(raw);
    if (u) found.add(u);
  };
  let inStyle = false;
  let styleText = "";
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (name === "img") {
          add(attribs["data-src"]);
          add(attribs.src);
        }
        if (attribs.style) for (const u of cssUrls(attribs.style, "declarationList")) add(u);
        if (name === "style") {
          inStyle = true;
          styleText = "";
        }
      },
      ontext(text) {
        if (inStyle) styleText += text;
      },
      onclosetag(name) {
        if (name === "style" && inStyle) {
          inStyle = false;
          for (const u of cssUrls(styleText, "stylesheet")) add(u);
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  return [...found];
}
