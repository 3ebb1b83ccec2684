// Display-ready HTML from WeChat's body HTML, through a real HTML parser (htmlparser2's
// DOM): every <img> gets a src (its mirror, or the original with referrerpolicy
// "no-referrer"), CSS url(...) is rewritten the same way, hide-until-script inline styles
// and <script> elements go, and WeChat's lazy-loading attributes become plain HTML.
// The input (the synced `content`) is never modified.
import { DomUtils, parseDocument } from "htmlparser2";
import type { ChildNode, Element } from "domhandler";
import { rewriteCss } from "./css.ts";
import { absoluteMediaUrl } from "./urls.ts";

/** The public URL of a source URL's mirror, or null when it has none (yet, or ever). */
export type MirrorOf = (sourceUrl: string) => string | null;

/** Elements whose lazy-loaded source WeChat keeps in data-src until its script swaps it in. */
const LAZY_SRC_ELEMENTS = new Set(["iframe", "video", "audio", "source"]);

function isElement(n: ChildNode): n is Element {
  return n.type === "tag" || n.type === "script" || n.type === "style";
}

function rewriteImg(el: Element, mirrorOf: MirrorOf): void {
  const a = el.attribs;
  // WeChat's src, when present, is often a placeholder: data-src names the image
  const original = absoluteMediaUrl(a["data-src"]) ?? absoluteMediaUrl(a.src);
  delete a["data-src"];
  if (original) {
    const mirror = mirrorOf(original);
    if (mirror) {
      a.src = mirror;
      delete a.referrerpolicy;
    } else {
      a.src = original;
      a.referrerpolicy = "no-referrer";
    }
  } else if (a.src === undefined) {
    a.src = ""; // an <img> with nothing to show still gets a src attribute
  }
  a.loading ??= "lazy";
}

export function renderDisplayHtml(html: string | null | undefined, mirrorOf: MirrorOf): string | null {
  if (html === null || html === undefined) return null;
  const doc = parseDocument(html, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
  const mapCssUrl = (raw: string): string | null => {
    const u = absoluteMediaUrl(raw);
    return u ? mirrorOf(u) : null;
  };
  const visit = (nodes: ChildNode[]): void => {
    for (const node of [...nodes]) {
      if (!isElement(node)) continue;
      if (node.name === "script") {
        DomUtils.removeElement(node);
        continue;
      }
      if (node.name === "img") rewriteImg(node, mirrorOf);
      else if (LAZY_SRC_ELEMENTS.has(node.name) && node.attribs["data-src"] && !node.attribs.src) {
        node.attribs.src = node.attribs["data-src"];
        delete node.attribs["data-src"];
      }
      if (node.attribs.style !== undefined) {
        const style = rewriteCss(node.attribs.style, "declarationList", mapCssUrl);
        if (style.trim() === "") delete node.attribs.style;
        else node.attribs.style = style;
      }
      if (node.name === "style") {
        for (const child of node.children) if (child.type === "text") child.data = rewriteCss(child.data, "stylesheet", mapCssUrl);
      }
      visit(node.children);
    }
  };
  visit(doc.children);
  // encodeEntities "utf8": only markup characters are escaped, Chinese text stays as it is
  return DomUtils.getOuterHTML(doc.children, { encodeEntities: "utf8", decodeEntities: true, emptyAttrs: true });
}
