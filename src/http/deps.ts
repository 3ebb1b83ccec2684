// What the HTTP server and its routes are given (by `mpsync worker` and the tests).
import type { Redis } from "ioredis";
import type { AppConfig } from "../config/config.ts";
import type { JobQueue } from "../job-queue.ts";
import type { Logger } from "../logging/logger.ts";
import type { Metrics } from "../metrics/registry.ts";
import type { ReadStore } from "../store/read-store.ts";
import type { ChangeFeedStore } from "../store/change-feed-store.ts";
import type { PushStore } from "../store/push-store.ts";

export interface ServerDeps {
  config: AppConfig;
  reads: ReadStore;
  redis: Redis;
  logger: Logger;
  metrics: Metrics;
  /** absent in a process without the job queue (admin resync then answers 500) */
  queue?: JobQueue;
  /** webhook deliveries for the admin API (absent: no /admin/webhooks) */
  changeFeed?: ChangeFeedStore;
  /** the console's "retry failed media": makes failed assets of these accounts (null: all) due now, returns how many */
  mediaRetry?: (appIds: string[] | null) => Promise<number>;
  /** readiness of this process's worker */
  consuming?: () => boolean;
  /** message push (/wechat/push/<app_id>): where events are stored; absent: no push endpoint */
  pushes?: PushStore;
  /** queues the processing of a stored publish job (jobs/ implements it); absent: no push endpoint */
  enqueuePush?: (publishJobId: bigint) => Promise<void>;
}
