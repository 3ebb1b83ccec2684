// PUBLIC_URL: the external base URL of mpsync's HTTP server (as browsers and feed readers
// reach it, through any proxy). Every URL mpsync hands out is made from it, never from a
// request's Host or X-Forwarded-* headers: mirror URLs (content_html, thumb_mirror_url,
// mirror_url: <PUBLIC_URL>/media/<key>, unless MEDIA_PUBLIC_BASE_URL names a CDN) and feed links.

/**
 * An http(s) base URL without query, fragment or credentials, without its trailing slash;
 * undefined when unset; a problem naming the setting when invalid.
 */
export function baseUrlSetting(env: NodeJS.ProcessEnv, name: string, problems: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  let u: URL | undefined;
  try {
    u = new URL(raw);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== "http:" && u.protocol !== "https:") || u.search || u.hash || u.username || u.password || !/^https?:\/\/[^/?#]+/i.test(raw)) {
    problems.push(`${name} must be an http(s) URL (got "${raw}")`); // and no query, fragment or credentials
    return undefined;
  }
  return `${u.origin}${u.pathname}`.replace(/\/+$/, "");
}

/** Why images break when no setting makes mirror URLs absolute (the worker logs it once, the console shows it). */
export const RELATIVE_MEDIA_WARNING =
  "PUBLIC_URL is not set (nor MEDIA_PUBLIC_BASE_URL): mirror URLs in content_html, thumb_mirror_url and mirror_url are root-relative (/media/...), so a website or feed reader on another origin will show broken images. Set PUBLIC_URL to the address browsers reach this server at.";
