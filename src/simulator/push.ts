// The simulator's message push: a publish sends PUBLISHJOBFINISH to a configured URL,
// signed with the configured Token and, in compatible or safe mode, encrypted with the
// EncodingAESKey, as WeChat does. An answer not received within `timeoutMs` (WeChat: 5 s)
// is retried, `tries` times in all (WeChat: 3), with the same message; an answer ends it.
import { randomInt } from "node:crypto";
import { buildPushXml, encodePush, type PushMode } from "../wechat/push/index.ts";

export interface SimPushOptions {
  /** where pushes go, e.g. http://127.0.0.1:8080/wechat/push/wxsimulator000001 */
  url: string;
  token: string;
  /** the 43-character EncodingAESKey (compatible and safe modes) */
  aesKey?: string;
  /** default: safe with an aesKey, plaintext without */
  mode?: PushMode;
  /** the app id an encrypted message ends with (default: the simulator's first app) */
  appId?: string;
  /** how long an answer is waited for before the push is sent again (default 5000, as WeChat) */
  timeoutMs?: number;
  /** sends in all (default 3, as WeChat) */
  tries?: number;
}

export interface SimPushEvent {
  /** default: the next of the simulator's publish ids */
  publishId?: string;
  status: number;
  articleId?: string;
  failIdx?: number[];
  /** article URLs of article_detail (status 0) */
  urls?: string[];
}

export interface SimPushAttempt {
  publishId: string;
  status: number;
  attempt: number;
  /** answered: an HTTP answer came within the wait; timeout; error: the connection failed */
  outcome: "answered" | "timeout" | "error";
  httpStatus: number | null;
  body: string | null;
}

/** The helper account WeChat sends publish events from (the same for every event). */
const HELPER_OPEN_ID = "oSimulatorPublishHelper000";

export class PushSender {
  private options: SimPushOptions | undefined;
  /** WeChat's publish ids are 10 digits; each simulator starts at its own, so two runs never share one */
  private nextPublishId = 2_000_000_000 + (Date.now() % 1_000_000_000);
  private readonly attempts: SimPushAttempt[] = [];
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly defaultAppId: string) {}

  configure(options: SimPushOptions | undefined): void {
    if (options) {
      if (!/^https?:\/\//.test(options.url)) throw new RangeError("push.url must be an http(s) URL");
      if ((options.mode === "safe" || options.mode === "compatible") && !options.aesKey) throw new RangeError(`push mode ${options.mode} needs an aesKey`);
    }
    this.options = options ? { ...options } : undefined;
  }

  get configured(): boolean {
    return this.options !== undefined;
  }

  log(): SimPushAttempt[] {
    return this.attempts.map((a) => ({ ...a }));
  }

  newPublishId(): string {
    return String(this.nextPublishId++);
  }

  /** Sends one event with WeChat's retries; resolves with its attempts. Nothing when no push is configured. */
  send(e: SimPushEvent): Promise<SimPushAttempt[]> {
    const p = this.deliver(e);
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
    return p;
  }

  /** resolves once every push sent so far has ended (answered or out of tries) */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private async deliver(e: SimPushEvent): Promise<SimPushAttempt[]> {
    const o = this.options;
    if (!o) return [];
    const publishId = e.publishId ?? this.newPublishId();
    const info: Record<string, unknown> = { publish_id: Number(publishId), publish_status: e.status };
    if (e.articleId) {
      info.article_id = e.articleId;
      const urls = e.urls ?? [];
      info.article_detail = { count: urls.length, item: urls.map((u, i) => ({ idx: i + 1, article_url: u })) };
    }
    if (e.failIdx?.length) info.fail_idx = e.failIdx;
    const toUserName = "gh_simulator0001";
    const message = buildPushXml({
      ToUserName: toUserName,
      FromUserName: HELPER_OPEN_ID,
      CreateTime: Math.floor(Date.now() / 1000),
      MsgType: "event",
      Event: "PUBLISHJOBFINISH",
      PublishEventInfo: info,
    });
    const mode: PushMode = o.mode ?? (o.aesKey ? "safe" : "plaintext");
    // WeChat's retries repeat the same message, timestamp and nonce
    const { query, body } = encodePush(message, { token: o.token, aesKey: o.aesKey, appId: o.appId ?? this.defaultAppId }, mode, {
      timestamp: String(Math.floor(Date.now() / 1000)),
      nonce: String(randomInt(1, 2 ** 31)),
      toUserName,
    });
    const url = new URL(o.url);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const tries = o.tries ?? 3;
    const out: SimPushAttempt[] = [];
    for (let attempt = 1; attempt <= tries; attempt++) {
      const a: SimPushAttempt = { publishId, status: e.status, attempt, outcome: "answered", httpStatus: null, body: null };
      try {
        const res = await fetch(url, { method: "POST", headers: { "content-type": "text/xml" }, body, signal: AbortSignal.timeout(o.timeoutMs ?? 5_000) });
        a.httpStatus = res.status;
        a.body = await res.text();
      } catch (err) {
        a.outcome = (err as Error).name === "TimeoutError" ? "timeout" : "error";
      }
      out.push(a);
      this.attempts.push(a);
      // only an unanswered push is sent again
      if (a.outcome === "answered") break;
    }
    return out;
  }
}
