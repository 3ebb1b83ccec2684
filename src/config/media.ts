// Media mirroring settings (MEDIA_*): where mirrored files go, which hosts are mirrored,
// how browsers reach them, and the download bounds. Validated with the rest of the
// configuration: a problem is one line naming the setting.
import path from "node:path";
import { baseUrlSetting } from "./public-url.ts";
import { boolSetting, intSetting } from "./settings.ts";
import { DEFAULT_MEDIA_DOWNLOAD } from "./defaults.ts";

export type MediaStoreLocation = { kind: "file"; root: string } | { kind: "s3"; bucket: string; prefix: string };

export interface MediaConfig {
  /** MEDIA_MIRROR: the worker mirrors after syncs (the CLI has --no-media) */
  enabled: boolean;
  store: MediaStoreLocation;
  /** the MEDIA_STORE_URL as given (no secrets: credentials come from the SDK's environment) */
  storeUrl: string;
  /** lower-case host[:port] whose media are mirrored */
  sourceHosts: string[];
  /** MEDIA_PUBLIC_BASE_URL, else PUBLIC_URL/media, without a trailing slash; undefined: root-relative /media/<key> */
  publicBaseUrl: string | undefined;
  /** downloads in flight per process */
  concurrency: number;
  /** refuse bodies larger than this */
  maxBytes: number;
  /** per request: headers, and each gap in the body, must arrive within this */
  timeoutMs: number;
  /** per connection: the TCP (and TLS) connect must finish within this (shorter: a dead host is noticed fast) */
  connectTimeoutMs: number;
  /** consecutive "host is down" failures after which a pass leaves the host's remaining assets for a later pass */
  hostFailures: number;
  /** S3: path-style addressing (MinIO, s3rver, some COS/OSS set-ups) */
  s3ForcePathStyle: boolean;
}

const DEFAULT_MEDIA_STORE_URL = "file:media";
const DEFAULT_MEDIA_SOURCE_HOSTS = ["mmbiz.qpic.cn", "mmbiz.qlogo.cn"];

/** `file:<path>` (relative to the working directory) or `s3://bucket/prefix`. */
function parseMediaStoreUrl(raw: string, cwd = process.cwd()): MediaStoreLocation | string {
  if (raw.startsWith("file:")) {
    let p = raw.slice("file:".length);
    if (p.startsWith("//")) p = p.slice(2); // file:///abs/path
    if (p === "") return "MEDIA_STORE_URL file: needs a path, e.g. file:/var/lib/mpsync/media";
    return { kind: "file", root: path.resolve(cwd, p) };
  }
  if (raw.startsWith("s3://")) {
    const rest = raw.slice("s3://".length);
    const slash = rest.indexOf("/");
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? "" : rest.slice(slash + 1).replace(/^\/+|\/+$/g, "");
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) return `MEDIA_STORE_URL names an invalid bucket "${bucket}"`;
    return { kind: "s3", bucket, prefix };
  }
  return `MEDIA_STORE_URL must be file:<path> or s3://bucket/prefix (got "${raw}")`;
}

/** `publicUrl`: PUBLIC_URL, validated by the caller (loadConfig) */
export function loadMediaConfig(env: NodeJS.ProcessEnv, problems: string[], publicUrl?: string): MediaConfig {
  const storeUrl = env.MEDIA_STORE_URL || DEFAULT_MEDIA_STORE_URL;
  const parsed = parseMediaStoreUrl(storeUrl);
  if (typeof parsed === "string") problems.push(parsed);
  const store: MediaStoreLocation = typeof parsed === "string" ? { kind: "file", root: path.resolve("media") } : parsed;

  const sourceHosts = (env.MEDIA_SOURCE_HOSTS ? env.MEDIA_SOURCE_HOSTS.split(",") : DEFAULT_MEDIA_SOURCE_HOSTS)
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== "");
  for (const h of sourceHosts) {
    if (!/^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/.test(h)) problems.push(`MEDIA_SOURCE_HOSTS: "${h}" is not a host[:port]`);
  }
  if (env.MEDIA_SOURCE_HOSTS !== undefined && sourceHosts.length === 0) problems.push("MEDIA_SOURCE_HOSTS lists no host");

  // a CDN in front of the store wins; otherwise mpsync's own /media route at its public address
  const publicBaseUrl = baseUrlSetting(env, "MEDIA_PUBLIC_BASE_URL", problems) ?? (publicUrl !== undefined ? `${publicUrl}/media` : undefined);
  return {
    enabled: boolSetting(env, "MEDIA_MIRROR", true, problems),
    store,
    storeUrl,
    sourceHosts,
    publicBaseUrl,
    concurrency: intSetting(env, "MEDIA_CONCURRENCY", 8, 1, 128, problems),
    maxBytes: intSetting(env, "MEDIA_MAX_BYTES", 20 * 1024 * 1024, 1024, 1024 * 1024 * 1024, problems),
    timeoutMs: intSetting(env, "MEDIA_TIMEOUT_MS", DEFAULT_MEDIA_DOWNLOAD.timeoutMs, 100, 600_000, problems),
    connectTimeoutMs: intSetting(env, "MEDIA_CONNECT_TIMEOUT_MS", DEFAULT_MEDIA_DOWNLOAD.connectTimeoutMs, 100, 120_000, problems),
    hostFailures: intSetting(env, "MEDIA_HOST_FAILURES", DEFAULT_MEDIA_DOWNLOAD.hostFailures, 1, 1_000, problems),
    s3ForcePathStyle: boolSetting(env, "MEDIA_S3_FORCE_PATH_STYLE", false, problems),
  };
}

/** The settings of a configuration built by hand (tests, benchmark) that names none: defaults, mirroring off. */
export function defaultMediaConfig(): MediaConfig {
  return { ...loadMediaConfig({}, []), enabled: false };
}
