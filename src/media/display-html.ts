// Display-ready HTML from WeChat's body HTML: the one place display HTML is made (the read
// API, the content_html columns, the feeds and the console all come through here), so it is
// safe to embed in another site as it is. One pass of sanitize-html (an allowlist sanitizer
// on htmlparser2) with a per-element rewrite before its filters run:
// - every <img> gets a src (its mirror, or the original with referrerpolicy "no-referrer"),
//   WeChat's lazy-loading data-src becomes plain src, CSS url(...) is mapped the same way,
//   hide-until-script inline styles go;
// - only the elements and attributes articles are made of stay (SANITIZE_OPTIONS): no
//   scripts, event handlers, forms, meta/base/link/object/embed, <style> elements or SVG;
//   URLs only http(s) (and image data: where an image is expected), in attributes and CSS;
//   iframes only from WeChat's and Tencent Video's players, sandboxed.
// The input (the synced `content`) is never modified.
import sanitizeHtml, { type IOptions } from "sanitize-html";
import { displayStyle } from "./css.ts";
import { isSafeUrl } from "./safe-url.ts";
import { absoluteMediaUrl } from "./urls.ts";

/** The public URL of a source URL's mirror, or null when it has none (yet, or ever). */
export type MirrorOf = (sourceUrl: string) => string | null;

/**
 * Bump when the display HTML made from the same content and mirrors changes: the media job
 * then renders every stored row's content_html again (media-render.ts keys rows by it).
 */
export const DISPLAY_HTML_VERSION = 2;

/** Elements whose lazy-loaded source WeChat keeps in data-src until its script swaps it in. */
const LAZY_SRC_ELEMENTS = new Set(["iframe", "video", "audio", "source"]);

/** Hosts of the video players WeChat articles embed. */
export const IFRAME_HOSTS = ["v.qq.com", "mp.weixin.qq.com", "channels.weixin.qq.com", "video.qq.com"];

type Attribs = Record<string, string>;

function rewriteImg(a: Attribs, mirrorOf: MirrorOf): void {
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
  } else if (a.src === undefined || !isSafeUrl(a.src, { image: true })) {
    a.src = ""; // an <img> with nothing (safe) to show still gets a src attribute
  }
  a.loading ??= "lazy";
}

const TEXT = ["p", "br", "hr", "span", "div", "section", "article", "header", "footer", "aside", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code", "kbd", "samp", "q", "cite", "abbr", "strong", "b", "em", "i", "u", "s", "strike", "del", "ins", "sub", "sup", "small", "big", "mark", "font", "center", "figure", "figcaption"];
const LISTS = ["ul", "ol", "li", "dl", "dt", "dd"];
const TABLES = ["table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td"];
const MEDIA = ["a", "img", "iframe", "video", "audio", "source", "mpvoice"];
const CELL = ["colspan", "rowspan", "width", "height", "align", "valign", "bgcolor"];

/** The allowlist. Attributes not named here (event handlers, id, name, srcdoc, formaction...) go. */
// allowedEmptyAttributes is sanitize-html's (2.12+), missing from @types/sanitize-html
const SANITIZE_OPTIONS: IOptions & { allowedEmptyAttributes: string[] } = {
  allowedTags: [...TEXT, ...LISTS, ...TABLES, ...MEDIA],
  allowedAttributes: {
    "*": ["style", "class", "title", "align", "dir", "lang"],
    a: ["href", "target", "rel"],
    img: ["src", "alt", "width", "height", "loading", "referrerpolicy", "data-ratio", "data-w", "data-type"],
    iframe: ["src", "width", "height", "frameborder", "allowfullscreen", "sandbox", "referrerpolicy"],
    video: ["src", "poster", "controls", "width", "height", "preload", "loop", "muted", "playsinline"],
    audio: ["src", "controls", "preload", "loop"],
    source: ["src", "type"],
    mpvoice: ["name", "voice_encode_fileid", "play_length", "high_size", "low_size", "source"],
    table: ["width", "border", "cellpadding", "cellspacing", "bgcolor"],
    col: ["span", "width"],
    colgroup: ["span", "width"],
    td: CELL,
    th: CELL,
    tr: ["align", "valign", "bgcolor"],
    ol: ["start", "type", "reversed"],
    ul: ["type"],
    li: ["value"],
    font: ["color", "size", "face"],
    blockquote: ["cite"],
    q: ["cite"],
  },
  allowedEmptyAttributes: ["alt", "src", "allowfullscreen", "controls", "muted", "playsinline", "loop", "reversed"],
  allowedSchemes: ["http", "https"],
  allowedSchemesByTag: { img: ["http", "https", "data"] },
  allowedSchemesAppliedToAttributes: ["href", "src", "cite", "poster"],
  allowProtocolRelative: true,
  allowedIframeHostnames: IFRAME_HOSTS,
  allowIframeRelativeUrls: false,
  // their text is never shown either
  nonTextTags: ["script", "style", "textarea", "option", "noscript", "title", "xmp", "noembed", "noframes", "template", "svg", "math", "object", "embed"],
  disallowedTagsMode: "discard",
  // style attributes are filtered by displayStyle (css-tree), the project's one CSS parser
  parseStyleAttributes: false,
};

export function renderDisplayHtml(html: string | null | undefined, mirrorOf: MirrorOf): string | null {
  if (html === null || html === undefined) return null;
  const mapCssUrl = (raw: string): string | null => {
    const u = absoluteMediaUrl(raw);
    return u ? mirrorOf(u) : null;
  };
  // an article repeats the same few style attributes hundreds of times: parse each once
  const styles = new Map<string, string>();
  const styleOf = (css: string): string => {
    let out = styles.get(css);
    if (out === undefined) styles.set(css, (out = displayStyle(css, mapCssUrl)));
    return out;
  };
  return sanitizeHtml(html, {
    ...SANITIZE_OPTIONS,
    // runs before the allowlist is applied: whatever it sets is filtered too
    transformTags: {
      "*": (tagName, attribs) => {
        const a: Attribs = { ...attribs };
        if (tagName === "img") rewriteImg(a, mirrorOf);
        else if (LAZY_SRC_ELEMENTS.has(tagName) && a["data-src"] && !a.src) a.src = a["data-src"];
        delete a["data-src"];
        if (a.style !== undefined) {
          const style = styleOf(a.style);
          if (style.trim() === "") delete a.style;
          else a.style = style;
        }
        if (tagName === "a") {
          a.rel = "noopener noreferrer nofollow";
          if (a.target !== undefined && a.target !== "_blank") delete a.target;
        }
        // the player runs its own script in its own origin, and may not navigate the embedding page
        if (tagName === "iframe") a.sandbox = "allow-scripts allow-same-origin allow-popups allow-presentation";
        return { tagName, attribs: a };
      },
    },
  });
}
