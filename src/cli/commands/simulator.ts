import { type Command, InvalidArgumentError } from "commander";
import { startSimulator, SIM_DEFAULT_APP, type SimulatorOptions } from "../../simulator/index.ts";
import { onStopSignal } from "../signals.ts";

function int(min: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };
}

interface SimulatorFlags {
  port: number;
  host: string;
  seed: number;
  published: number;
  maxNewsItems: number;
  contentBytes: number;
  images: number;
  videos: number;
  voices: number;
  news: number;
  latency: number;
  jitter: number;
  appId: string;
  appSecret: string;
  tokenTtl: number;
  legacyGrace: number;
}

export function register(program: Command): void {
  program
    .command("simulator")
    .description("run the fake WeChat API (tokens, both lists, faults and drift under /__sim/) until SIGINT/SIGTERM")
    .option("--port <n>", "port to listen on (0 = any free port)", int(0), 8089)
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--seed <n>", "content seed: same seed, same content", int(0), 1)
    .option("--published <n>", "published articles", int(0), 100)
    .option("--max-news-items <n>", "news items per article: 1..n", int(1), 3)
    .option("--content-bytes <n>", "average HTML body size", int(1), 2000)
    .option("--images <n>", "image materials", int(0), 20)
    .option("--videos <n>", "video materials", int(0), 5)
    .option("--voices <n>", "voice materials", int(0), 5)
    .option("--news <n>", "news materials", int(0), 5)
    .option("--latency <ms>", "added latency per list/count request", int(0), 0)
    .option("--jitter <ms>", "random extra latency, 0..ms", int(0), 0)
    .option("--app-id <id>", "app id the token endpoints accept", SIM_DEFAULT_APP.appId)
    .option("--app-secret <secret>", "app secret the token endpoints accept", SIM_DEFAULT_APP.secret)
    .option("--token-ttl <s>", "access token lifetime in seconds", int(1), 7200)
    .option("--legacy-grace <s>", "how long a superseded /cgi-bin/token token keeps working", int(0), 300)
    .option("--media-origin <origin>", 'origin of image URLs in content: "self" (this simulator serves them) or e.g. http://mmbiz.qpic.cn', "http://mmbiz.qpic.cn")
    .option("--media-latency <ms>", "added latency per image request", int(0), 0)
    .action(async (f: SimulatorFlags & { mediaOrigin: string; mediaLatency: number }) => {
      const opts: SimulatorOptions = {
        port: f.port,
        host: f.host,
        apps: [{ appId: f.appId, secret: f.appSecret }],
        seed: {
          seed: f.seed,
          published: f.published,
          maxNewsItems: f.maxNewsItems,
          contentBytes: f.contentBytes,
          materials: { image: f.images, video: f.videos, voice: f.voices, news: f.news },
        },
        tokenTtlSeconds: f.tokenTtl,
        legacyGraceSeconds: f.legacyGrace,
        faults: f.latency || f.jitter ? { latencyMs: f.latency, jitterMs: f.jitter } : {},
        media: { origin: f.mediaOrigin, latencyMs: f.mediaLatency },
      };
      const sim = await startSimulator(opts);
      console.log(`WeChat simulator listening on ${sim.url} (app id ${f.appId}; control endpoints under ${sim.url}/__sim/)`);
      // the environment that points mpsync at it; a secret given on the command line is the
      // caller's own and is not echoed (the built-in one is public, in the sources)
      const secret = f.appSecret === SIM_DEFAULT_APP.secret ? f.appSecret : "<the value of --app-secret>";
      console.log(`point mpsync at it with:\n  export WECHAT_API_BASE_URL=${sim.url} WECHAT_APP_ID=${f.appId} WECHAT_APP_SECRET=${secret} WECHAT_TOKEN_KIND=stable`);
      await new Promise<void>((resolve) => onStopSignal(() => resolve()));
      await sim.close();
      console.log("WeChat simulator stopped");
    });
}
