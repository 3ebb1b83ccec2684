// CSS inside WeChat HTML (style attributes, <style> elements), through a real CSS parser
// (css-tree): the url(...) references, and the style attributes display HTML keeps (urls
// mapped to mirrors, WeChat's hide-until-script declarations and unsafe ones dropped).
import { generate, parse, walk, type CssNode, type Declaration } from "css-tree";
import { isSafeUrl } from "./safe-url.ts";

export type CssContext = "declarationList" | "stylesheet";


function parseCss(css: string, context: CssContext): CssNode | null {
  try {
    return parse(css, { context, parseValue: true, parseCustomProperty: false });
  } catch {
    return null; // css-tree recovers from most errors
  }
}

export function cssUrls(css: string, context: CssContext): string[] {
  if (!css.toLowerCase().includes("url(")) return []; // most CSS names no URL: skip the parser
  const ast = parseCss(css, context);
  if (!ast) return [];
  const out: string[] = [];
  walk(ast, { visit: "Url", enter: (node) => void out.push(node.value) });
  return out;
}

function hides(property: string, value: string): boolean {
  const p = property.toLowerCase();
  const v = value.trim().toLowerCase();
  if (p === "visibility") return v === "hidden";
  if (p === "opacity") return Number.parseFloat(v) === 0;
  return false;
}

/** Properties that bind behaviour (old IE, old Firefox): never needed by an article. */
const BEHAVIOUR_PROPERTIES = new Set(["behavior", "-ms-behavior", "-moz-binding"]);

/**
 * A declaration display HTML must not keep: script-bearing values (expression(), javascript:
 * or vbscript: anywhere, url()s that are not http(s) or image data), escaped function names
 * (no article writes "\\75rl(", filters do), and position: fixed, which would let an article
 * cover the page that embeds it.
 */
function unsafe(node: Declaration): boolean {
  const property = node.property.toLowerCase();
  if (BEHAVIOUR_PROPERTIES.has(property)) return true;
  const value = generate(node.value).toLowerCase();
  if (property === "position" && value.trim() === "fixed") return true;
  if (value.includes("\\") && value.includes("(")) return true;
  if (/expression\s*\(|javascript:|vbscript:|-moz-binding/.test(value.replace(/\s+(?=:)/g, ""))) return true;
  let bad = false;
  walk(node.value, { visit: "Url", enter: (u) => void (bad ||= !isSafeUrl(u.value, { image: true })) });
  return bad;
}

/** Cheap guard: a style attribute without functions, escapes or these words needs no parser. */
const MAY_MATTER = /[(\\@]|visibility|opacity|behavior|binding|position|script:/i;

/**
 * A style attribute as display HTML keeps it: url() values mapped with `mapUrl` (null keeps
 * the original), WeChat's hide-until-script declarations and unsafe ones dropped. Returns
 * the CSS unchanged when nothing applies, "" when it cannot be read at all.
 */
export function displayStyle(css: string, mapUrl: (url: string) => string | null): string {
  if (!MAY_MATTER.test(css)) return css;
  const ast = parseCss(css, "declarationList");
  if (!ast) return "";
  let changed = false;
  walk(ast, {
    visit: "Declaration",
    enter(node, item, list) {
      if (list && (hides(node.property, generate(node.value)) || unsafe(node))) {
        list.remove(item);
        changed = true;
      }
    },
  });
  walk(ast, {
    visit: "Url",
    enter(node) {
      const to = mapUrl(node.value);
      if (to !== null && to !== node.value) {
        node.value = to;
        changed = true;
      }
    },
  });
  return changed ? generate(ast) : css;
}
