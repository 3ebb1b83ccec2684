// What a row's recorded references and display columns are made from besides its content:
// the host list (which URLs are media), and for display columns also the public base and the
// display HTML version. Each row keeps the key it was made from (media_scan_hash,
// media_render_key, "<content_hash>|<inputs>"); a changed setting makes every row's key
// stale, so the next pass records and renders them again from the stored bodies, with no
// WeChat call. One mechanism for MEDIA_SOURCE_HOSTS, MEDIA_PUBLIC_BASE_URL and the renderer.
import { createHash } from "node:crypto";
import type { MediaConfig } from "../config/media.ts";
import { DISPLAY_HTML_VERSION } from "./display-html.ts";

export interface MediaInputs {
  /** references (media_links) */
  scan: string;
  /** display columns (content_html, thumb_mirror_url, mirror_url) */
  render: string;
}

export function mediaInputs(config: Pick<MediaConfig, "sourceHosts" | "publicBaseUrl">): MediaInputs {
  // order and duplicates do not change which URLs are media
  const hosts = createHash("sha256").update([...new Set(config.sourceHosts)].sort().join(",")).digest("hex").slice(0, 12);
  const scan = `hosts:${hosts}`;
  return { scan, render: `${config.publicBaseUrl ?? ""}|v${DISPLAY_HTML_VERSION}|${scan}` };
}
