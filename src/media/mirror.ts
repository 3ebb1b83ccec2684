// One media pass: record the media that changed content references (discover), download
// what is due (download), and make the display columns of the rows whose content or
// mirrors changed (render). Run by the worker's media job, `mpsync media sync` and
// `mpsync sync --inline`. A failed download is recorded on its asset and never fails
// the pass; the pass itself fails only when the database does.
import { createHash } from "node:crypto";
import pRetry, { AbortError } from "p-retry";
import type { Logger } from "../logging/logger.ts";
import type { MediaConfig } from "../config/media.ts";
import type { MediaStore, MediaOwnerKind, MediaOwnerRow, ScannedOwner, ClaimedAsset } from "../store/media-store.ts";
import { MEDIA_OWNER_KINDS } from "../store/media-store.ts";
import type { MediaStatusRow } from "../store/media-store.ts";
import { createLimiter, type Limiter } from "../sync/limiter.ts";
import { renderDisplayHtml } from "./display-html.ts";
import { mediaInputs } from "./inputs.ts";
import type { Downloaded, Downloader } from "./download.ts";
import { MediaDownloadError, MediaHostDownError, MediaTransientError } from "./errors.ts";
import { HostBreaker, hostKey, type TrippedHost } from "./host-breaker.ts";
import { extractMediaUrls } from "./extract.ts";
import { publicMediaUrl, storageKey } from "./keys.ts";
import type { ObjectStore } from "./storage/types.ts";
import { absoluteMediaUrl, createHostMatcher } from "./urls.ts";
import { megabytes } from "../format/megabytes.ts";
import { formatMediaCounts } from "./counts.ts";

export type DownloadOutcome = "stored" | "reused" | "failed" | "gone" | "refused";
/** what happened to a claimed asset: a download outcome, or left for a later pass (its host is down) */
type AssetOutcome = DownloadOutcome | "deferred";

export interface MediaObserver {
  onDownload?(outcome: DownloadOutcome, bytes: number): void;
  onStatus?(status: MediaStatusRow): void;
}

export interface MediaRetryPolicy {
  /** extra requests within a pass after a transient failure */
  retries: number;
  /** first in-pass delay; grows ×3 */
  minDelayMs: number;
  /** later passes: the first retry after this long, ×4 per failed pass */
  laterBaseMs: number;
  /** at most this long between later retries */
  laterMaxMs: number;
  /** passes after which a failing asset is no longer tried */
  maxAttempts: number;
}

const DEFAULT_MEDIA_RETRY: MediaRetryPolicy = { retries: 2, minDelayMs: 500, laterBaseMs: 60_000, laterMaxMs: 6 * 3_600_000, maxAttempts: 6 };

export interface MediaMirrorDeps {
  store: MediaStore;
  objects: ObjectStore;
  downloader: Downloader;
  config: MediaConfig;
  logger: Logger;
  observer?: MediaObserver;
  retry?: Partial<MediaRetryPolicy>;
}

export interface MediaPassOptions {
  /** only media of these accounts (app ids); all when absent */
  appIds?: string[];
  /** stop claiming new downloads; what is in flight finishes */
  signal?: AbortSignal;
}

export interface MediaPassResult {
  /** rows whose references were recorded */
  scanned: number;
  /** assets seen for the first time */
  discovered: number;
  /** downloads that stored new bytes */
  downloaded: number;
  /** downloads whose bytes were already stored under another URL */
  reused: number;
  bytes: number;
  failed: number;
  gone: number;
  refused: number;
  /** assets left for a later pass because their host is down (no attempt counted) */
  deferred: number;
  /** hosts this pass stopped asking, and why */
  hostsDown: TrippedHost[];
  /** rows whose display columns were made */
  rendered: number;
  durationMs: number;
  /** where the time went: recording references, downloading, making display columns */
  phasesMs: { discover: number; download: number; render: number };
  /**
   * where the download phase's lanes spent their time, summed over lanes: claiming work,
   * waiting for a download slot, the HTTP download (retries included), hashing, writing
   * the object store, and recording the outcome in the database
   */
  laneMs: { claim: number; wait: number; fetch: number; hash: number; store: number; record: number };
  status: MediaStatusRow;
}

const SCAN_BATCH = 200;
const RENDER_BATCH = 100;
const LEASE_MS = 10 * 60_000;
const CLAIM_PER_LANE = 4;
/** lanes per download slot (MEDIA_CONCURRENCY): a lane spends part of its time on the store and the database */
const LANES_PER_DOWNLOAD = 2;

export interface MediaMirror {
  pass(opts?: MediaPassOptions): Promise<MediaPassResult>;
  status(appIds?: string[]): Promise<MediaStatusRow>;
}

export function createMediaMirror(deps: MediaMirrorDeps): MediaMirror {
  const retry = { ...DEFAULT_MEDIA_RETRY, ...deps.retry };
  const isMediaHost = createHostMatcher(deps.config.sourceHosts);
  // one bound for the process: every pass running here shares it
  const limiter: Limiter = createLimiter(deps.config.concurrency);
  // what references and display columns are made from besides content and mirrors: a change re-does every row
  const { scan: scanInputs, render: renderInputs } = mediaInputs(deps.config);
  const log = deps.logger.child({ component: "media" });

  const mediaUrl = (raw: string | null): string | null => {
    const u = absoluteMediaUrl(raw);
    return u && isMediaHost(u) ? u : null;
  };

  function referencesOf(kind: MediaOwnerKind, row: MediaOwnerRow): ScannedOwner {
    const links: ScannedOwner["links"] = [];
    const imageRole = kind === "material" ? "image" : "thumb";
    const image = mediaUrl(row.imageUrl);
    if (image) links.push({ url: image, role: imageRole });
    for (const u of extractMediaUrls(row.content)) if (isMediaHost(u)) links.push({ url: u, role: "content" });
    return { row, links };
  }

  async function accountIdsOf(appIds: string[] | undefined): Promise<number[] | null> {
    if (!appIds) return null;
    const ids = await deps.store.accountIds(appIds);
    return [...ids.values()];
  }

  async function discover(accountIds: number[] | null): Promise<{ scanned: number; discovered: number }> {
    let scanned = 0;
    let discovered = 0;
    for (const kind of MEDIA_OWNER_KINDS) {
      let after = 0n;
      for (;;) {
        const rows = await deps.store.unscanned(kind, { accountIds, scanInputs, afterId: after, limit: SCAN_BATCH });
        if (rows.length === 0) break;
        discovered += await deps.store.recordScan(kind, scanInputs, rows.map((r) => referencesOf(kind, r)));
        scanned += rows.length;
        after = rows[rows.length - 1]!.id;
      }
    }
    return { scanned, discovered };
  }

  function laterRetryAt(attempts: number): Date | null {
    if (attempts >= retry.maxAttempts) return null;
    return new Date(Date.now() + Math.min(retry.laterMaxMs, retry.laterBaseMs * 4 ** Math.max(0, attempts - 1)));
  }

  // in flight downloads finish when a pass is stopped (each is bounded by MEDIA_TIMEOUT_MS)
  async function downloadOne(asset: ClaimedAsset, breaker: HostBreaker, lane: MediaPassResult["laneMs"]): Promise<{ outcome: AssetOutcome; bytes: number }> {
    const host = hostKey(asset.sourceUrl);
    let t = performance.now();
    const spent = (phase: keyof MediaPassResult["laneMs"]): void => {
      const now = performance.now();
      lane[phase] += now - t;
      t = now;
    };
    let tried = false;
    try {
      const got = await pRetry(
        async () => {
          try {
            // the slot is held by the HTTP exchange only: hashing, storing and recording overlap other downloads
            return await limiter.run(async (): Promise<Downloaded> => {
              spent("wait");
              // another lane found the host down while this one waited for a slot or to retry
              const down = breaker.reasonOf(host);
              if (down) throw new AbortError(new MediaHostDownError(host, down));
              tried = true;
              try {
                return await deps.downloader.fetch(asset.sourceUrl, breaker.signalOf(host), () => breaker.answered(host));
              } catch (e) {
                // counted before the slot is given to a waiting lane, so that lane sees a tripped breaker
                if (e instanceof MediaHostDownError) breaker.down(host, e.reason);
                // stopped because the breaker tripped while this download waited for an answer
                const tripped = breaker.reasonOf(host);
                if (tripped && !(e instanceof MediaDownloadError)) throw new MediaHostDownError(host, tripped);
                throw e;
              }
            });
          } catch (e) {
            if (e instanceof AbortError) throw e;
            // once the host is known down, no in-pass retry: the asset waits for a later pass
            if (e instanceof MediaHostDownError && breaker.isOpen(host)) throw new AbortError(e);
            if (e instanceof MediaDownloadError && !(e instanceof MediaTransientError)) throw new AbortError(e);
            if (breaker.isOpen(host)) throw new AbortError(e as Error);
            throw e;
          }
        },
        { retries: retry.retries, minTimeout: retry.minDelayMs, factor: 3 },
      );
      spent("fetch");
      const hash = createHash("sha256").update(got.bytes).digest("hex");
      spent("hash");
      const existing = await deps.store.storedKeyOfHash(hash);
      spent("record");
      const key = existing ?? storageKey(hash, got.contentType);
      // written even when the database knows these bytes: the store may be a new one
      // (MEDIA_STORE_URL changed, another checkout's folder), and a content-addressed
      // rewrite of identical bytes is harmless
      try {
        await deps.objects.put(key, got.bytes, got.contentType);
      } catch (e) {
        throw new MediaTransientError(`storage: ${(e as Error).name}: ${(e as Error).message}`);
      }
      spent("store");
      await deps.store.markStored(asset.id, { contentType: got.contentType, bytes: got.bytes.length, contentHash: hash, storageKey: key });
      spent("record");
      return { outcome: existing ? "reused" : "stored", bytes: got.bytes.length };
    } catch (err) {
      // p-retry rethrows the error an AbortError carried
      if (!(err instanceof MediaDownloadError)) throw err; // the database, or a bug
      spent("fetch");
      if (err instanceof MediaHostDownError && breaker.isOpen(host)) {
        await deps.store.defer([asset.id], tried ? err.message : null);
        breaker.deferred(host);
        return { outcome: "deferred", bytes: 0 };
      }
      const message = `${err.outcome === "refused" ? "refused: " : ""}${err.message}`;
      if (err.outcome === "gone") await deps.store.markGone(asset.id, message);
      else if (err.outcome === "refused") await deps.store.markFailed(asset.id, message, null);
      else await deps.store.markFailed(asset.id, message, laterRetryAt(asset.attempts));
      spent("record");
      return { outcome: err.outcome, bytes: 0 };
    }
  }

  async function download(accountIds: number[] | null, signal: AbortSignal | undefined, r: MediaPassResult): Promise<void> {
    const passStart = new Date();
    const breaker = new HostBreaker(deps.config.hostFailures);
    const record = (outcome: AssetOutcome, bytes: number, asset: ClaimedAsset): void => {
      if (outcome === "deferred") {
        r.deferred++;
        return;
      }
      deps.observer?.onDownload?.(outcome, bytes);
      if (outcome === "stored") (r.downloaded++, (r.bytes += bytes));
      else if (outcome === "reused") r.reused++;
      else r[outcome]++;
      if (outcome !== "stored" && outcome !== "reused") log.info({ assetId: asset.id.toString(), outcome }, "media download not stored");
    };
    // LANES_PER_DOWNLOAD × MEDIA_CONCURRENCY lanes, each claiming a few assets at a time: no lane waits for
    // another's slow download, and while some lanes hash, store and record, others hold every download slot
    const lane = async (): Promise<void> => {
      while (!signal?.aborted) {
        const t = performance.now();
        const claimed = await deps.store.claim({ accountIds, limit: CLAIM_PER_LANE, leaseMs: LEASE_MS, passStart });
        r.laneMs.claim += performance.now() - t;
        if (claimed.length === 0) return;
        // assets of a host found down in this pass wait for a later one, unasked
        const skipped = claimed.filter((a) => breaker.isOpen(hostKey(a.sourceUrl)));
        if (skipped.length > 0) {
          await deps.store.defer(skipped.map((a) => a.id), null);
          for (const a of skipped) (breaker.deferred(hostKey(a.sourceUrl)), r.deferred++);
        }
        // recorded while their host was on MEDIA_SOURCE_HOSTS and no longer is: never asked, kept as they are
        // (the host may come back), no attempt counted
        const unlisted = claimed.filter((a) => !skipped.includes(a) && !isMediaHost(a.sourceUrl));
        if (unlisted.length > 0) {
          await deps.store.defer(unlisted.map((a) => a.id), "host not on MEDIA_SOURCE_HOSTS");
          r.deferred += unlisted.length;
          skipped.push(...unlisted);
        }
        const todo = claimed.filter((a) => !skipped.includes(a));
        const unstarted = new Set(todo.map((a) => a.id));
        try {
          for (const asset of todo) {
            if (signal?.aborted) return;
            unstarted.delete(asset.id);
            const { outcome, bytes } = await (breaker.isOpen(hostKey(asset.sourceUrl)) ? deferNow(asset, breaker) : downloadOne(asset, breaker, r.laneMs));
            record(outcome, bytes, asset);
          }
        } finally {
          await deps.store.release([...unstarted]).catch(() => {});
        }
      }
    };
    await Promise.all(Array.from({ length: deps.config.concurrency * LANES_PER_DOWNLOAD }, lane));
    r.hostsDown = breaker.tripped();
    for (const h of r.hostsDown) log.warn({ host: h.host, reason: h.reason, failures: h.failures, deferred: h.deferred }, "media host down: its assets wait for a later pass");
  }

  async function deferNow(asset: ClaimedAsset, breaker: HostBreaker): Promise<{ outcome: AssetOutcome; bytes: number }> {
    await deps.store.defer([asset.id], null);
    breaker.deferred(hostKey(asset.sourceUrl));
    return { outcome: "deferred", bytes: 0 };
  }

  function renderRow(kind: MediaOwnerKind, row: MediaOwnerRow, keys: Map<string, string>) {
    const mirrorOf = (u: string): string | null => {
      const key = keys.get(u);
      return key ? publicMediaUrl(deps.config.publicBaseUrl, key) : null;
    };
    const image = mediaUrl(row.imageUrl);
    return {
      id: row.id,
      contentHash: row.contentHash,
      html: kind === "material" ? null : renderDisplayHtml(row.content, (u) => (isMediaHost(u) ? mirrorOf(u) : null)),
      imageMirrorUrl: image ? mirrorOf(image) : null,
    };
  }

  async function render(accountIds: number[] | null): Promise<number> {
    let rendered = 0;
    for (const kind of MEDIA_OWNER_KINDS) {
      let after = 0n;
      for (;;) {
        const rows = await deps.store.unrendered(kind, { accountIds, renderInputs, scanInputs, afterId: after, limit: RENDER_BATCH });
        if (rows.length === 0) break;
        const urls = rows.flatMap((r) => referencesOf(kind, r).links.map((l) => l.url));
        rendered += await deps.store.writeRendered(kind, renderInputs, urls, (keys) => rows.map((r) => renderRow(kind, r, keys)));
        after = rows[rows.length - 1]!.id;
      }
    }
    return rendered;
  }

  return {
    async pass(opts = {}) {
      const started = performance.now();
      const accountIds = await accountIdsOf(opts.appIds);
      const r: MediaPassResult = { scanned: 0, discovered: 0, downloaded: 0, reused: 0, bytes: 0, failed: 0, gone: 0, refused: 0, deferred: 0, hostsDown: [], rendered: 0, durationMs: 0, phasesMs: { discover: 0, download: 0, render: 0 }, laneMs: { claim: 0, wait: 0, fetch: 0, hash: 0, store: 0, record: 0 }, status: undefined! };
      const since = (t: number): number => Math.round(performance.now() - t);
      let t = performance.now();
      Object.assign(r, await discover(accountIds));
      r.phasesMs.discover = since(t);
      t = performance.now();
      await download(accountIds, opts.signal, r);
      r.phasesMs.download = since(t);
      t = performance.now();
      r.rendered = await render(accountIds);
      r.phasesMs.render = since(t);
      r.status = await deps.store.status(accountIds);
      deps.observer?.onStatus?.(opts.appIds ? await deps.store.status(null) : r.status);
      r.durationMs = Math.round(performance.now() - started);
      for (const k of Object.keys(r.laneMs) as (keyof MediaPassResult["laneMs"])[]) r.laneMs[k] = Math.round(r.laneMs[k]);
      const { status, ...counts } = r;
      log.info(
        { ...counts, pending: status.states.pending.count, stored: status.states.stored.count, failedTotal: status.states.failed.count, goneTotal: status.states.gone.count, objects: status.objects.count, references: status.references },
        "media pass finished",
      );
      return r;
    },
    async status(appIds) {
      return deps.store.status(await accountIdsOf(appIds));
    },
  };
}

/** One line for run summaries. */
export function formatMediaPass(r: MediaPassResult): string {
  return (
    `media: ${r.discovered} new, ${r.downloaded} downloaded (${megabytes(r.bytes)}), ${r.reused} identical to stored, ` +
    `${r.failed} failed, ${r.gone} gone, ${r.refused} refused, ${r.rendered} rendered in ${r.durationMs} ms | ` +
    formatMediaCounts(r.status) +
    r.hostsDown.map((h) => `\n${formatHostDown(h)}`).join("")
  );
}

/** The pass's one line about a host it stopped asking. */
export function formatHostDown(h: TrippedHost): string {
  return `media: host ${h.host} not reachable (${h.reason}, ${h.failures} failures in a row): ${h.deferred} left for a later pass`;
}
