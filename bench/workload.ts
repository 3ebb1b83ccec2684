// The benchmark's account and the lower bounds that follow from its size alone.
import { MAX_PAGE_SIZE } from "../src/wechat/types.ts";
import type { Source } from "../src/sync/types.ts";

export interface Workload {
  articles: number;
  images: number;
  videos: number;
  voices: number;
  news: number;
}

export function itemsPerSource(w: Workload): Record<Source, number> {
  return { published: w.articles, "material:image": w.images, "material:video": w.videos, "material:voice": w.voices, "material:news": w.news };
}

export const itemsOf = (w: Workload): number => w.articles + w.images + w.videos + w.voices + w.news;

export const materialsOf = (w: Workload): number => w.images + w.videos + w.voices + w.news;

export function scaled(w: Workload, factor: number): Workload {
  return { articles: w.articles * factor, images: w.images * factor, videos: w.videos * factor, voices: w.voices * factor, news: w.news * factor };
}

/** The fewest list calls that can read a list of n items: ceil(n/20), and one call to learn that a list is empty. */
export const pagesOf = (n: number): number => Math.max(1, Math.ceil(n / MAX_PAGE_SIZE));

/** The page minimum of the whole account: every source read once. */
export function minListCalls(w: Workload): number {
  return Object.values(itemsPerSource(w)).reduce((s, n) => s + pagesOf(n), 0);
}

/**
 * The latency bound of reading `pages` pages with at most `concurrency` requests in
 * flight (mpsync's engine shares that per-account limit across the five sources it runs
 * side by side): ceil(pages / concurrency) x latency.
 */
export function latencyBound(pages: number, concurrency: number, latencyMs: number): number {
  return Math.ceil(pages / concurrency) * latencyMs;
}
