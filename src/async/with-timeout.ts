// Bounds a wait: Redis commands wait out an outage (maxRetriesPerRequest: null), but a
// probe, a scrape or a shutdown must end; undefined when the bound came first.
export async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
