// The WeChatClient of one account: each call is a retried attempt of "get a token, make
// the request, validate the answer". The token used by an attempt is remembered so that
// a token error invalidates exactly that token (compare-and-delete), not a newer one.
import type { Logger } from "../logging/logger.ts";
import { callJson, type CallContext, type RequestCounter } from "./call.ts";
import type { WeChatError } from "./errors.ts";
import { ENDPOINTS } from "./endpoints.ts";
import { readArticle, readMaterialCount, readMaterialPage, readPublishedPage, readQuota } from "./responses.ts";
import { withRetry, type RetryPolicy } from "./retry.ts";
import type { TokenProvider } from "./tokens/index.ts";
import { MATERIAL_TYPES, MAX_PAGE_SIZE, type CredentialCheck, type ApiQuota, type CallOptions, type ListPage, type MaterialCount, type MaterialItem, type MaterialType, type PublishedArticleItem, type WeChatClient } from "./types.ts";

/** WeChat's page size limit: a caller asking for more has a bug, so fail before any request. */
function checkPage(offset: number, count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > MAX_PAGE_SIZE) throw new RangeError(`count must be an integer from 1 to ${MAX_PAGE_SIZE} (got ${count})`);
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
    return this.call(
      counter,
      { method: "POST", endpoint, body },
      (json) => readPublishedPage(json, counter.requests, { offset: args.offset, count: args.count, contentRequested: !args.noContent }),
      args,
    );
  }

  async batchGetMaterial(args: { type: MaterialType; offset: number; count: number } & CallOptions): Promise<ListPage<MaterialItem>> {
    checkPage(args.offset, args.count);
    if (!MATERIAL_TYPES.includes(args.type)) throw new RangeError(`type must be one of ${MATERIAL_TYPES.join(", ")} (got ${String(args.type)})`);
    const endpoint = ENDPOINTS.materialList;
    const body = { type: args.type, offset: args.offset, count: args.count };
    const counter: RequestCounter = { requests: 0 };
    return this.call(
      counter,
      { method: "POST", endpoint, body },
      (json) => readMaterialPage(json, args.type, counter.requests, { offset: args.offset, count: args.count, contentRequested: args.type === "news" }),
      args,
    );
  }

  async getArticle(articleId: string, opts: CallOptions = {}): Promise<PublishedArticleItem & { attempts: number }> {
    const counter: RequestCounter = { requests: 0 };
    const article = await this.call(counter, { method: "POST", endpoint: ENDPOINTS.getArticle, body: { article_id: articleId } }, (json) => readArticle(json, articleId), opts);
    return { ...article, attempts: counter.requests };
  }

  async getMaterialCount(opts: CallOptions = {}): Promise<MaterialCount> {
    return this.call({ requests: 0 }, { method: "GET", endpoint: ENDPOINTS.materialCount }, readMaterialCount, opts);
  }

  async getQuota(cgiPath: string, opts: CallOptions = {}): Promise<ApiQuota> {
    return this.call({ requests: 0 }, { method: "POST", endpoint: ENDPOINTS.quota, body: { cgi_path: cgiPath } }, readQuota, opts);
  }

  async checkCredentials(opts: CallOptions = {}): Promise<CredentialCheck> {
    const verify = this.tokens.verifyCredentials;
    if (verify) await verify.call(this.tokens, { requests: 0 }, opts.signal);
    await this.getMaterialCount(opts);
    return {
      secretChecked: verify !== undefined,
      unchecked: verify
        ? null
        : `the ${this.tokens.kind} credentials are sent only when no token is cached: fetching one on demand would retire the token other processes use; the token in use was checked`,
    };
  }

  /** Releases the HTTP pools (when this client owns them). */
  close(): Promise<void> {
    return this.onClose();
  }

  private async call<T>(
    counter: RequestCounter,
    req: { method: "GET" | "POST"; endpoint: string; body?: unknown },
    parse: (json: Record<string, unknown>) => T,
    opts: CallOptions = {},
  ): Promise<T> {
    const { signal, slots } = opts;
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
          this.log.warn({ endpoint: req.endpoint, attempt, error: err.name, errcode: err.errcode, err }, "wechat call attempt failed");
        },
      },
      async () => {
        lastToken = undefined;
        const token = await this.tokens.getToken(counter, signal);
        lastToken = token;
        const json = await callJson(this.ctx, this.appId, counter, { ...req, query: { access_token: token }, signal, slots });
        return parse(json);
      },
      signal,
    );
  }
}
