// Everything one running simulator holds; the HTTP routes and the Simulator methods share it.
import { Counters } from "./counters.ts";
import { FaultController } from "./faults.ts";
import { InFlight } from "./in-flight.ts";
import { QuotaLedger } from "./quota.ts";
import { ContentState } from "./state.ts";
import { TokenRegistry } from "./tokens.ts";
import { MediaCdn } from "./media.ts";
import { PushSender } from "./push.ts";
import { SIM_DEFAULT_APP, type BodyQuirks, type RequestHook, type SimulatorOptions } from "./types.ts";

export class SimulatorCore {
  readonly state: ContentState;
  readonly tokens: TokenRegistry;
  readonly faults: FaultController;
  readonly counters = new Counters();
  /** API and CDN requests not yet finished (control requests are not counted) */
  readonly inFlight = new InFlight();
  readonly media: MediaCdn;
  /** per-API daily quotas (45009, openapi/quota/get, clear_quota) */
  readonly quota = new QuotaLedger();
  quirks: BodyQuirks;
  hook: RequestHook | undefined;
  /** list requests that reached the hook so far */
  hookCalls = 0;
  /** PUBLISHJOBFINISH pushes to the configured URL */
  readonly push: PushSender;

  constructor(opts: SimulatorOptions) {
    this.state = new ContentState(opts.seed);
    this.tokens = new TokenRegistry({
      apps: opts.apps ?? [{ ...SIM_DEFAULT_APP }],
      component: opts.component,
      tokenTtlSeconds: opts.tokenTtlSeconds ?? 7200,
      legacyGraceSeconds: opts.legacyGraceSeconds ?? 300,
    });
    this.faults = new FaultController(opts.faults);
    this.quirks = { ...opts.quirks };
    const seed = opts.seed?.seed ?? 1;
    this.media = new MediaCdn(() => seed, opts.media);
    if (opts.dailyLimits) this.quota.setLimits(opts.dailyLimits);
    this.push = new PushSender((opts.apps ?? [SIM_DEFAULT_APP])[0]!.appId);
    this.push.configure(opts.push);
  }
}
