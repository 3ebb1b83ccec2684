// Which URLs display HTML may keep (attributes and CSS url()): http(s), relative and
// protocol-relative ones, and data: URLs of images where an image is expected. Everything
// else (javascript:, vbscript:, data:text/html, file:, ...) is refused.

const IMAGE_DATA_URL = /^data:image\/(png|jpe?g|gif|webp|bmp|avif|svg\+xml)[;,]/i;

export function isSafeUrl(raw: string, o: { image: boolean }): boolean {
  // browsers ignore control characters and whitespace inside a scheme ("java\tscript:")
  const s = raw.replace(/[\u0000-\u0020\u007f-\u009f]/g, "");
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(s)?.[1]?.toLowerCase();
  if (scheme === undefined) return !/^[^/?#]*:/.test(s); // relative; "&colon;"-style leftovers are refused
  if (scheme === "http" || scheme === "https") return true;
  return o.image && IMAGE_DATA_URL.test(s);
}
