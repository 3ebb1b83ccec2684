// The media benchmark's result and its lines: `npm run bench:media` prints them, and
// `npm run bench` (bench/run.ts) runs bench/media.ts as a child and reports the same.
import type { MediaPassResult } from "../src/media/mirror.ts";

export interface MediaBenchArgs {
  articles: number;
  images: number;
  latency: number;
  concurrency: number;
}

export interface MediaBenchResult {
  articles: number;
  imageMaterials: number;
  images: number;
  failed: number;
  mb: number;
  seconds: number;
  imagesPerSecond: number;
  mbPerSecond: number;
  latencyMs: number;
  concurrency: number;
  boundSeconds: number;
  phasesMs: MediaPassResult["phasesMs"];
  laneMs: MediaPassResult["laneMs"];
  ratioToBound: number;
  secondPassDownloads: number;
  secondPassMs: number;
}

/** The result's table row, and where the download phase's lanes spent their time. */
export function describeMediaBench(m: MediaBenchResult): string[] {
  const lane = Object.values(m.laneMs).reduce((a, b) => a + b, 0) || 1;
  const share = (Object.entries(m.laneMs) as [string, number][]).map(([k, v]) => `${k} ${((100 * v) / lane).toFixed(0)}%`).join(", ");
  return [
    `| mirroring, ${m.images} images (${m.mb.toFixed(0)} MB) at ${m.latencyMs} ms CDN latency, concurrency ${m.concurrency} | **${m.seconds.toFixed(1)} s**, ${m.imagesPerSecond} images/s, ${m.mbPerSecond} MB/s | bound ${m.boundSeconds.toFixed(1)} s (${m.images} × ${m.latencyMs} ms / ${m.concurrency}): ${m.ratioToBound.toFixed(2)}× |`,
    `media pass phases: discover ${m.phasesMs.discover} ms, download ${m.phasesMs.download} ms, render ${m.phasesMs.render} ms; download lanes' time: ${share}`,
  ];
}

