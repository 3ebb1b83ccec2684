// "Retry failed media" (console action): failed assets of the given accounts become due,
// and a media pass of those accounts is asked for at once (when a worker runs here).
import type { PrismaClient } from "../store/prisma.ts";
import { createMediaStore } from "../store/media-store.ts";

export function mediaRetryOf(runtime: { prisma: PrismaClient }, requestPass: (appIds: string[] | null) => Promise<void>): (appIds: string[] | null) => Promise<number> {
  const store = createMediaStore(runtime.prisma);
  return async (appIds) => {
    // unknown app ids resolve to no account: retryFailed([]) matches nothing
    const accountIds = appIds === null ? null : [...(await store.accountIds(appIds)).values()];
    const n = await store.retryFailed(accountIds);
    if (n > 0) await requestPass(appIds);
    return n;
  };
}
