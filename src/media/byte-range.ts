// One HTTP byte range (RFC 9110 §14): "bytes=a-b", "bytes=a-" or "bytes=-n". Browsers ask
// for these to seek in audio and video. Several ranges in one header are not served as
// multipart: the whole object is sent instead (allowed by the RFC).

export type RangeSpec = { start: number; end: number | null } | { suffix: number };

/** null: no usable single range (absent, malformed, several): answer with the whole object */
export function parseRange(header: string | undefined): RangeSpec | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") return { suffix: Number(m[2]) };
  const start = Number(m[1]);
  const end = m[2] === "" ? null : Number(m[2]);
  if (end !== null && end < start) return null;
  return { start, end };
}

/** The inclusive byte positions a range names in an object of `size` bytes; null: unsatisfiable (416). */
export function resolveRange(spec: RangeSpec, size: number): { start: number; end: number } | null {
  if ("suffix" in spec) {
    if (spec.suffix === 0 || size === 0) return null;
    return { start: Math.max(0, size - spec.suffix), end: size - 1 };
  }
  if (spec.start >= size) return null;
  return { start: spec.start, end: Math.min(spec.end ?? size - 1, size - 1) };
}

/** The Range header form of a spec (an S3 GetObject takes the same). */
export function rangeHeader(spec: RangeSpec): string {
  return "suffix" in spec ? `bytes=-${spec.suffix}` : `bytes=${spec.start}-${spec.end ?? ""}`;
}
