// The WeChatClient of one account: each call is a retried attempt of "get a token, make
// the request, validate the answer". The token used by an attempt is remembered so that
// a token error invalidates exactly that token (compare-and-delete), not a newer one.
import type { Logger } from "../logging/logger.ts";
import { callJson, type CallContext, type RequestCounter } from "./call.ts";
import type { WeChatError } from "./errors.ts";
import { toMaterialPage, toPublishedPage } from "./normalize.ts";
import { validate } from "./parse.ts";
import { withRetry, type RetryPolicy } from "./retry.ts";
import { materialCountSchema, materialPageSchema, publishedPageSchema, quotaSchema } from "./schemas.ts";
import type { TokenProvider } from "./tokens/index.ts";
import { MATERIAL_TYPES, type ApiQuota, type CallOptions, type ListPage, type MaterialCount, type MaterialItem, type MaterialType, type PublishedArticleItem, type WeChatClient } from "./types.ts";

export const ENDPOINTS = {
  publishedList: "/cgi-bin/freepublish/batchget",
  materialList: "/cgi-bin/material/batchget_material",
  materialCount: "/cgi-bin/material/get_materialcount",
  quota: "/cgi-bin/openapi/quota/get",
} as const;

/** WeChat's page size limit: a caller asking for more has a bug, so fail before any request. */
function checkPage(offset: number, count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > 20) throw new RangeError(`count must be an integer from 1 to 20 (got ${count})`);
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`offset must be a non-negative integer (got ${offset})`);
}

export class WeChatApiClient implements WeChatClient {
  readonly appId: string;
  private readonly log: Logger;

  constructor(
    private readonly ctx: CallContext,
    private readonly tokens: TokenProvider,
    private readonly policy: RetryPolicy,
    private readonly onClose: () => Promise<void>,
  ) {
    this.appId = tokens.appId;
    this.log = ctx.logger.child({ appId: this.appId });
  }

  async batchGetPublished(args: { offset: number; count: number; noContent?: boolean } & CallOptions): Promise<ListPage<PublishedArticleItem>> {
    checkPage(args.offset, args.count);
    const endpoint = ENDPOINTS.publishedList;
    const body = { offset: args.offset, count: args.count, no_content: args.noContent ? 1 : 0 };
    const counter: RequestCounter = { requests: 0 };
    const raw = await this.call(counter, { method: "POST", endpoint, body }, (json) => validate(publishedPageSchema, json, endpoint), args.signal);
    return toPublishedPage(raw, endpoint, counter.requests);
  }

  async batchGetMaterial(args: { type: MaterialType; offset: number; count: number } & CallOptions): Promise<ListPage<MaterialItem>> {
    checkPage(args.offset, args.count);
    if (!MATERIAL_TYPES.includes(args.type)) throw new RangeError(`type must be one of ${MATERIAL_TYPES.join(", ")} (got ${String(args.type)})`);
    const endpoint = ENDPOINTS.materialList;
    const body = { type: args.type, offset: args.offset, count: args.count };
    const counter: RequestCounter = { requests: 0 };
    const raw = await this.call(counter, { method: "POST", endpoint, body }, (json) => validate(materialPageSchema, json, endpoint), args.signal);
    return toMaterialPage(raw, args.type, endpoint, counter.requests);
  }

  async getMaterialCount(opts: CallOptions = {}): Promise<MaterialCount> {
    const endpoint = ENDPOINTS.materialCount;
    const r = await this.call({ requests: 0 }, { method: "GET", endpoint }, (json) => validate(materialCountSchema, json, endpoint), opts.signal);
    return { image: r.image_count, video: r.video_count, voice: r.voice_count, news: r.news_count };
  }

  async getQuota(cgiPath: string, opts: CallOptions = {}): Promise<ApiQuota> {
    const endpoint = ENDPOINTS.quota;
    const r = await this.call({ requests: 0 }, { method: "POST", endpoint, body: { cgi_path: cgiPath } }, (json) => validate(quotaSchema, json, endpoint), opts.signal);
    return { dailyLimit: r.quota.daily_limit, used: r.quota.used, remain: r.quota.remain };
  }

  /** Releases the HTTP pools (when this client owns them). */
  close(): Promise<void> {
    return this.onClose();
  }

  private async call<T>(
    counter: RequestCounter,
    req: { method: "GET" | "POST"; endpoint: string; body?: unknown },
    parse: (json: Record<string, unknown>) => T,
    signal?: AbortSignal,
  ): Promise<T> {
    let lastToken: string | undefined;
    return withRetry(
      this.policy,
      {
        onTokenError: async () => {
          if (lastToken === undefined) return;
          const dropped = await this.tokens.invalidate(lastToken);
          this.log.info({ endpoint: req.endpoint, dropped }, "wechat token rejected; retrying once with a fresh one");
        },
        onAttemptFailed: (err: WeChatError, attempt) => {
          this.log.warn({ endpoint: req.endpoint, attempt, kind: err.kind, errcode: err.errcode, err }, "wechat call attempt failed");
        },
      },
      async () => {
        lastToken = undefined;
        const token = await this.tokens.getToken(counter, signal);
        lastToken = token;
        const json = await callJson(this.ctx, this.appId, counter, { ...req, query: { access_token: token }, signal });
        return parse(json);
      },
      signal,
    );
  }
}
