// Builds the media mirror of a process from its configuration: the object store, the
// downloader (its own undici pool, apart from the WeChat API's) and the store facade.
import { defaultMediaConfig, type MediaConfig } from "../config/media.ts";
import type { AppConfig } from "../config/config.ts";
import type { Logger } from "../logging/logger.ts";
import { createMediaStore } from "../store/media-store.ts";
import type { PrismaClient } from "../store/prisma.ts";
import { Downloader } from "./download.ts";
import { createMediaMirror, type MediaMirror, type MediaObserver, type MediaRetryPolicy } from "./mirror.ts";
import { createObjectStore, type ObjectStore } from "./storage/index.ts";

export interface MediaService {
  config: MediaConfig;
  mirror: MediaMirror;
  objects: ObjectStore;
  close(): Promise<void>;
}

export interface MediaServiceOptions {
  config: Pick<AppConfig, "media">;
  prisma: PrismaClient;
  logger: Logger;
  observer?: MediaObserver;
  retry?: Partial<MediaRetryPolicy>;
  /** tests: a prepared object store (e.g. an S3 client with explicit endpoint and credentials) */
  objects?: ObjectStore;
}

export function mediaConfigOf(config: Pick<AppConfig, "media">): MediaConfig {
  return config.media ?? defaultMediaConfig();
}

export function createMediaService(o: MediaServiceOptions): MediaService {
  const config = mediaConfigOf(o.config);
  const objects = o.objects ?? createObjectStore(config.store, { s3ForcePathStyle: config.s3ForcePathStyle });
  const downloader = new Downloader({ connections: config.concurrency, maxBytes: config.maxBytes, timeoutMs: config.timeoutMs, connectTimeoutMs: config.connectTimeoutMs, sourceHosts: config.sourceHosts });
  const mirror = createMediaMirror({ store: createMediaStore(o.prisma), objects, downloader, config, logger: o.logger, observer: o.observer, retry: o.retry });
  return {
    config,
    mirror,
    objects,
    async close() {
      await downloader.close();
      await objects.close();
    },
  };
}
