// The benchmark's WeChat simulator, in a process of its own so that the syncing
// process's peak RSS and CPU are its own. Started by bench/run.ts with its options as
// one JSON argument; prints one JSON line {"url": ...} when it listens, stops on SIGTERM.
import { startSimulator, SIM_DEFAULT_APP, type SimulatorOptions } from "../src/simulator/index.ts";

export interface SimulatorProcessOptions {
  seed: number;
  articles: number;
  /** news items per article are 1..maxNewsItems, uniformly (3 → about 2 on average) */
  maxNewsItems: number;
  contentBytes: number;
  images: number;
  videos: number;
  voices: number;
  news: number;
  latencyMs: number;
  /** the image CDN: "self" serves the images content names (bench/media.ts) */
  mediaOrigin?: string;
  mediaLatencyMs?: number;
}

const raw = process.argv[2];
if (!raw) {
  console.error("usage: tsx bench/simulator-process.ts '<json options>'");
  process.exit(2);
}
const o = JSON.parse(raw) as SimulatorProcessOptions;
const opts: SimulatorOptions = {
  port: 0,
  host: "127.0.0.1",
  apps: [{ appId: SIM_DEFAULT_APP.appId, secret: SIM_DEFAULT_APP.secret }],
  seed: {
    seed: o.seed,
    published: o.articles,
    maxNewsItems: o.maxNewsItems,
    contentBytes: o.contentBytes,
    materials: { image: o.images, video: o.videos, voice: o.voices, news: o.news },
  },
  // latency on the list and count endpoints (the simulator's default fault endpoints);
  // token endpoints answer at once, as they are not what the benchmark measures
  faults: { latencyMs: o.latencyMs },
  ...(o.mediaOrigin ? { media: { origin: o.mediaOrigin, latencyMs: o.mediaLatencyMs ?? 0 } } : {}),
};
const sim = await startSimulator(opts);
process.stdout.write(JSON.stringify({ url: sim.url }) + "\n");

const stop = (): void => {
  void sim.close().then(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
// the parent died without stopping us: do not linger
process.stdin.on("end", stop);
process.stdin.resume();
