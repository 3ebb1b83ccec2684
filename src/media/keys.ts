// Content-addressed object keys: "<first 2 hex of sha256>/<sha256>.<ext>". The same key
// names the object in the file store, in the bucket, and in the public URL.

const EXT_BY_TYPE: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/jpg": "jpg",
  "image/pjpeg": "jpg",
  "image/png": "png",
  "image/gif": "gif",
  "image/webp": "webp",
  "image/bmp": "bmp",
  "image/svg+xml": "svg",
  "image/x-icon": "ico",
  "image/vnd.microsoft.icon": "ico",
  "image/tiff": "tif",
  "image/avif": "avif",
  "image/heic": "heic",
};
const TYPE_BY_EXT: Record<string, string> = {
  jpg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  bmp: "image/bmp",
  svg: "image/svg+xml",
  ico: "image/x-icon",
  tif: "image/tiff",
  avif: "image/avif",
  heic: "image/heic",
  img: "application/octet-stream",
};

const KEY_RE = /^([0-9a-f]{2})\/([0-9a-f]{64})\.([a-z0-9]{1,5})$/;

/** The media type of a Content-Type header, lower-case, without parameters. */
export function mediaType(contentType: string | undefined | null): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

export function storageKey(sha256Hex: string, contentType: string): string {
  const ext = EXT_BY_TYPE[mediaType(contentType)] ?? "img";
  return `${sha256Hex.slice(0, 2)}/${sha256Hex}.${ext}`;
}

/** A key this module made (anything else, e.g. "../x", is refused before touching a store). */
export function isStorageKey(key: string): boolean {
  const m = KEY_RE.exec(key);
  return m !== null && m[2]!.startsWith(m[1]!) && Object.hasOwn(TYPE_BY_EXT, m[3]!);
}

export function contentTypeOfKey(key: string): string {
  const ext = key.slice(key.lastIndexOf(".") + 1);
  return TYPE_BY_EXT[ext] ?? "application/octet-stream";
}

/** The sha256 of the bytes a key names: a strong ETag. */
export function hashOfKey(key: string): string {
  return KEY_RE.exec(key)?.[2] ?? "";
}

/** Where browsers reach a stored object: MEDIA_PUBLIC_BASE_URL/<key>, or root-relative /media/<key>. */
export function publicMediaUrl(publicBaseUrl: string | undefined, key: string): string {
  return publicBaseUrl ? `${publicBaseUrl}/${key}` : `/media/${key}`;
}
