// A parsed JSON body of each response type → its validated, normalised value.
import { ENDPOINTS } from "./endpoints.ts";
import { toMaterialPage, toPublishedPage, type PageRequest } from "./normalize.ts";
import { validate } from "./parse.ts";
import { articleSchema, accessTokenSchema, authorizerTokenSchema, componentTokenSchema, materialCountSchema, materialPageSchema, publishedPageSchema, quotaSchema } from "./schemas.ts";
import { toNewsItem } from "./normalize.ts";
import type { ApiQuota, ListPage, MaterialCount, MaterialItem, MaterialType, PublishedArticleItem } from "./types.ts";

/** `req`: the call's offset, count and content flag, for the checks against the request (the client always passes it). */
export function readPublishedPage(json: unknown, attempts: number, req?: PageRequest): ListPage<PublishedArticleItem> {
  return toPublishedPage(validate(publishedPageSchema, json, ENDPOINTS.publishedList), ENDPOINTS.publishedList, attempts, req);
}

export function readMaterialPage(json: unknown, type: MaterialType, attempts: number, req?: PageRequest): ListPage<MaterialItem> {
  return toMaterialPage(validate(materialPageSchema, json, ENDPOINTS.materialList), type, ENDPOINTS.materialList, attempts, req);
}

/** freepublish/getarticle's answer as a list item of freepublish/batchget (the same hash for the same content). */
export function readArticle(json: unknown, articleId: string): PublishedArticleItem {
  const r = validate(articleSchema, json, ENDPOINTS.getArticle);
  return { articleId, createTime: r.create_time ?? null, updateTime: r.update_time ?? null, newsItems: r.news_item.map(toNewsItem) };
}

export function readMaterialCount(json: unknown): MaterialCount {
  const r = validate(materialCountSchema, json, ENDPOINTS.materialCount);
  return { image: r.image_count, video: r.video_count, voice: r.voice_count, news: r.news_count };
}

export function readQuota(json: unknown): ApiQuota {
  const r = validate(quotaSchema, json, ENDPOINTS.quota);
  return { dailyLimit: r.quota.daily_limit, used: r.quota.used, remain: r.quota.remain };
}

export interface TokenAnswer {
  token: string;
  expiresInSeconds: number;
  /** authorizer tokens only: the refresh token to use next time */
  refreshToken?: string;
}

/** /cgi-bin/token and /cgi-bin/stable_token answer the same shape. */
export function readAccessToken(json: unknown, endpoint: string): TokenAnswer {
  const r = validate(accessTokenSchema, json, endpoint);
  return { token: r.access_token, expiresInSeconds: r.expires_in };
}

export function readComponentToken(json: unknown): TokenAnswer {
  const r = validate(componentTokenSchema, json, ENDPOINTS.componentToken);
  return { token: r.component_access_token, expiresInSeconds: r.expires_in };
}

export function readAuthorizerToken(json: unknown): TokenAnswer {
  const r = validate(authorizerTokenSchema, json, ENDPOINTS.authorizerToken);
  return { token: r.authorizer_access_token, expiresInSeconds: r.expires_in, ...(r.authorizer_refresh_token ? { refreshToken: r.authorizer_refresh_token } : {}) };
}
