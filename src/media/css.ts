// CSS inside WeChat HTML (style attributes, <style> elements), through a real CSS parser
// (css-tree): the url(...) references, and a rewrite that maps them and drops the inline
// hide-until-script declarations (visibility: hidden, opacity: 0) that only WeChat's own
// script lifts.
import { generate, parse, walk, type CssNode } from "css-tree";

export type CssContext = "declarationList" | "stylesheet";

/** Cheap guard: most style attributes hold neither url() nor the hiding declarations, and skip the parser. */
function mayMatter(css: string, hiding: boolean): boolean {
  const lower = css.toLowerCase();
  return lower.includes("url(") || (hiding && (lower.includes("visibility") || lower.includes("opacity")));
}

function parseCss(css: string, context: CssContext): CssNode | null {
  try {
    return parse(css, { context, parseValue: true, parseCustomProperty: false });
  } catch {
    return null; // css-tree recovers from most errors; whatever it cannot read is left alone
  }
}

export function cssUrls(css: string, context: CssContext): string[] {
  if (!mayMatter(css, false)) return [];
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

/**
 * Rewrites url() values with `mapUrl` (null keeps the original) and, for inline styles,
 * drops hide-until-script declarations. Returns the CSS unchanged when nothing applies.
 */
export function rewriteCss(css: string, context: CssContext, mapUrl: (url: string) => string | null): string {
  const hiding = context === "declarationList";
  if (!mayMatter(css, hiding)) return css;
  const ast = parseCss(css, context);
  if (!ast) return css;
  let changed = false;
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
  if (hiding) {
    walk(ast, {
      visit: "Declaration",
      enter(node, item, list) {
        if (list && hides(node.property, generate(node.value))) {
          list.remove(item);
          changed = true;
        }
      },
    });
  }
  return changed ? generate(ast) : css;
}
