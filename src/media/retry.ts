// "Retry failed media" (console action): failed assets of the given accounts become due;
// the next media pass downloads them.
import type { PrismaClient } from "../store/prisma.ts";
import { createMediaStore } from "../store/media-store.ts";

export function mediaRetryOf(runtime: { prisma: PrismaClient }): (appIds: string[] | null) => Promise<number> {
  const store = createMediaStore(runtime.prisma);
  return async (appIds) => {
    if (appIds === null) return store.retryFailed(null);
    const ids = [...(await store.accountIds(appIds)).values()];
    return ids.length ? store.retryFailed(ids) : 0;
  };
}
