// Which URLs are media to mirror: http(s) URLs on one of MEDIA_SOURCE_HOSTS, taken as
// the content names them (no http→https rewriting: the CDN answers both, and the URL is
// the asset's identity).

/** A URL as content names it, trimmed; protocol-relative URLs get https. Null when not http(s). */
export function absoluteMediaUrl(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const s = raw.trim();
  if (s === "") return null;
  const u = s.startsWith("//") ? `https:${s}` : s;
  if (!/^https?:\/\//i.test(u)) return null;
  try {
    new URL(u);
  } catch {
    return null;
  }
  return u;
}

/** `hosts` are lower-case host[:port]; an entry without a port matches the host on any port. */
export function createHostMatcher(hosts: readonly string[]): (url: string) => boolean {
  const exact = new Set(hosts.filter((h) => /:\d+$/.test(h)));
  const anyPort = new Set(hosts.filter((h) => !/:\d+$/.test(h)));
  return (url) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return false;
    }
    const hostname = u.hostname.toLowerCase();
    const port = u.port || (u.protocol === "https:" ? "443" : "80");
    return anyPort.has(hostname) || exact.has(`${hostname}:${port}`) || exact.has(u.host.toLowerCase());
  };
}
