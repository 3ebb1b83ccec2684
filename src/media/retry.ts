// "Retry failed media" (console action): failed assets of the given accounts become due,
// and a media pass of those accounts is asked for at once (when a worker runs here).
import type { PrismaClient } from "../store/prisma.ts";
import { createMediaStore } from "../store/media-store.ts";

export function mediaRetryOf(runtime: { prisma: PrismaClient }, requestPass: (appIds: string[] | null) => Promise<void>): (appIds: string[] | null) => Promise<number> {
  const store = createMediaStore(runtime.prisma);
  return async (appIds) => {
    let n = 0;
    if (appIds === null) n = await store.retryFailed(null);
    else {
      const ids = [...(await store.accountIds(appIds)).values()];
      n = ids.length ? await store.retryFailed(ids) : 0;
    }
    if (n > 0) await requestPass(appIds);
    return n;
  };
}
