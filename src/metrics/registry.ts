// Prometheus metrics of one worker process. Labels never carry secrets: endpoints are
// paths without query strings (see RequestEvent), accounts are app ids.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { RunResult } from "../sync/types.ts";
import type { ClientObserver } from "../wechat/types.ts";
import type { MediaObserver } from "../media/mirror.ts";

export interface Metrics {
  registry: Registry;
  /** pass to createRuntime({ observer }) */
  observer: ClientObserver;
  recordRun(result: RunResult, appId: string): void;
  /** a run that ended in an error (retried, delayed or failed) */
  recordRunError(appId: string, source: string, mode: string, reason: string): void;
  /** set by the HTTP server before each scrape */
  setQueueDepth(counts: Record<string, number>): void;
  /** pass to createMediaService({ observer }) */
  media: MediaObserver;
  /** a feed was rendered (once per change of its account; cached otherwise) */
  recordFeedRender(format: string): void;
  /** a push to /wechat/push: its event type (unknown when refused before decoding) and what became of it */
  recordPush(event: string, outcome: string): void;
  /** a processed PUBLISHJOBFINISH: its publish_status and outcome (stored, unchanged, quota_deferred, ...) */
  recordPublishJob(status: number, outcome: string): void;
}

/** Deletions held by the circuit breaker, read at scrape time (the count lives in Postgres, not in this process). */
export type HeldDeletionsReader = () => Promise<{ appId: string; source: string; held: number }[]>;

/** The daily quota per account and API as last read, and the interval in effect (Redis, at scrape time). */
export type QuotaReader = () => Promise<{ account: string; api: string; limit: number | null; used: number | null; remain: number | null; reserve: number | null; interval_minutes: number }[]>;

/**
 * A gauge filled at scrape time from `read`. When the read fails (database or Redis down)
 * the scrape still answers and the gauge keeps its last values.
 */
function scrapedGauge<T, L extends string>(registry: Registry, name: string, help: string, labelNames: L[], read: () => Promise<T[]>, fill: (g: Gauge<L>, rows: T[]) => void): void {
  new Gauge<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      const rows = await read().catch(() => undefined);
      if (!rows) return;
      this.reset();
      fill(this, rows);
    },
  });
}

export function createMetrics(opts: { defaultMetrics?: boolean; heldDeletions?: HeldDeletionsReader; quotas?: QuotaReader } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: "mpsync_process_" });

  const runs = new Counter({ name: "mpsync_sync_runs_total", help: "Sync runs by source, mode and status", labelNames: ["account", "source", "mode", "status"], registers: [registry] });
  const items = new Counter({ name: "mpsync_items_written_total", help: "Rows written by sync runs, by kind (inserted, updated, deleted)", labelNames: ["account", "source", "kind"], registers: [registry] });
  const durations = new Histogram({
    name: "mpsync_sync_run_duration_seconds",
    help: "Duration of finished sync runs",
    labelNames: ["source", "mode"],
    buckets: [0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers: [registry],
  });
  const apiCalls = new Counter({ name: "mpsync_wechat_requests_total", help: "WeChat API HTTP requests by endpoint and errcode", labelNames: ["endpoint", "errcode"], registers: [registry] });
  const apiDuration = new Histogram({
    name: "mpsync_wechat_request_duration_seconds",
    help: "WeChat API request durations",
    labelNames: ["endpoint"],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const tokenRefreshes = new Counter({ name: "mpsync_token_refreshes_total", help: "Access token refreshes by token kind", labelNames: ["account", "kind"], registers: [registry] });
  const queueDepth = new Gauge({ name: "mpsync_queue_jobs", help: "Jobs in the sync queue by state", labelNames: ["state"], registers: [registry] });
  if (opts.heldDeletions) {
    scrapedGauge(registry, "mpsync_deletions_held", "Deletions held by the deletion circuit breaker, by account and source (apply: mpsync deletions apply)", ["account", "source"], opts.heldDeletions, (g, rows) => {
      for (const r of rows) g.set({ account: r.appId, source: r.source }, r.held);
    });
  }

  const mediaDownloads = new Counter({ name: "mpsync_media_downloads_total", help: "Media downloads by outcome (stored, reused, failed, gone, refused)", labelNames: ["outcome"], registers: [registry] });
  const mediaBytes = new Counter({ name: "mpsync_media_downloaded_bytes_total", help: "Bytes of media downloaded and stored", registers: [registry] });
  // counts as `mpsync media status` names them (src/media/counts.ts), all accounts, as of this process's last media pass
  const mediaUrls = new Gauge({ name: "mpsync_media_urls", help: "Distinct media URLs by state (stored, pending, failed, gone), all accounts, after this process's last media pass", labelNames: ["state"], registers: [registry] });
  const mediaAssets = new Gauge({ name: "mpsync_media_assets", help: "Deprecated: the same as mpsync_media_urls", labelNames: ["state"], registers: [registry] });
  const mediaObjects = new Gauge({ name: "mpsync_media_objects", help: "Distinct stored objects (identical bytes under several URLs count once), all accounts, after this process's last media pass", registers: [registry] });
  const mediaObjectBytes = new Gauge({ name: "mpsync_media_object_bytes", help: "Bytes of the distinct stored objects, after this process's last media pass", registers: [registry] });
  const mediaReferences = new Gauge({ name: "mpsync_media_references", help: "References: places in synced rows that use a media URL, after this process's last media pass", registers: [registry] });
  if (opts.quotas) {
    scrapedGauge(registry, "mpsync_quota_calls", "Daily API quota per account and API as last read plus own calls since (kind: limit, used, remain, reserve)", ["account", "api", "kind"], opts.quotas, (g, rows) => {
      for (const r of rows) {
        for (const kind of ["limit", "used", "remain", "reserve"] as const) {
          const v = r[kind];
          if (v !== null) g.set({ account: r.account, api: r.api, kind }, v);
        }
      }
    });
    scrapedGauge(registry, "mpsync_incremental_interval_minutes", "Incremental interval in effect per account and API (stretched when the day's quota cannot afford the configured one)", ["account", "api"], opts.quotas, (g, rows) => {
      for (const r of rows) g.set({ account: r.account, api: r.api }, r.interval_minutes);
    });
  }

  const feedRenders = new Counter({ name: "mpsync_feed_renders_total", help: "Feeds rendered (each is cached until its account's content changes), by format", labelNames: ["format"], registers: [registry] });
  const pushes = new Counter({ name: "mpsync_push_events_total", help: "Pushes to /wechat/push by event type and outcome (accepted, duplicate, bad_signature, bad_app_id, unknown_account, malformed, no_aes_key)", labelNames: ["event", "outcome"], registers: [registry] });
  const publishJobs = new Counter({ name: "mpsync_publish_jobs_total", help: "PUBLISHJOBFINISH events processed, by publish_status and outcome", labelNames: ["status", "outcome"], registers: [registry] });

  return {
    registry,
    recordFeedRender: (format) => feedRenders.inc({ format }),
    recordPush(event, outcome) {
      pushes.inc({ event, outcome });
    },
    recordPublishJob(status, outcome) {
      publishJobs.inc({ status: String(status), outcome });
    },
    media: {
      onDownload(outcome, bytes) {
        mediaDownloads.inc({ outcome });
        if (bytes > 0) mediaBytes.inc(bytes);
      },
      onStatus(status) {
        for (const [state, c] of Object.entries(status.states)) (mediaUrls.set({ state }, c.count), mediaAssets.set({ state }, c.count));
        mediaObjects.set(status.objects.count);
        mediaObjectBytes.set(status.objects.bytes);
        mediaReferences.set(status.references);
      },
    },
    observer: {
      onRequest(e) {
        // errcode "none" when no JSON body was read (transport failure or HTTP error)
        apiCalls.inc({ endpoint: e.endpoint, errcode: e.errcode === null ? "none" : String(e.errcode) });
        apiDuration.observe({ endpoint: e.endpoint }, e.durationMs / 1000);
      },
      onTokenRefresh(e) {
        tokenRefreshes.inc({ account: e.appId, kind: e.kind });
      },
    },
    recordRun(r, appId) {
      runs.inc({ account: appId, source: r.source, mode: r.mode, status: r.status });
      items.inc({ account: appId, source: r.source, kind: "inserted" }, r.inserted);
      items.inc({ account: appId, source: r.source, kind: "updated" }, r.updated);
      items.inc({ account: appId, source: r.source, kind: "deleted" }, r.markedDeleted);
      durations.observe({ source: r.source, mode: r.mode }, r.durationMs / 1000);
    },
    recordRunError(appId, source, mode, reason) {
      runs.inc({ account: appId, source, mode, status: reason });
    },
    setQueueDepth(counts) {
      for (const [state, n] of Object.entries(counts)) queueDepth.set({ state }, n);
    },
  };
}
