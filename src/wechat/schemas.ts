// One zod schema per WeChat response. Lenient where WeChat varies (optional fields,
// unknown extra fields are dropped, either place for update_time), strict where the
// sync depends on it (the key of every item, counts).
import { z } from "zod";

const optStr = z.string().nullish();
const optInt = z.number().nullish();
/** Unix seconds; some SDK samples send numeric strings */
const optTime = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).nullish();
const key = z.string().min(1);
const count = z.number().int().nonnegative();

export const newsItemSchema = z.object({
  title: optStr,
  author: optStr,
  digest: optStr,
  content: optStr,
  content_source_url: optStr,
  thumb_media_id: optStr,
  thumb_url: optStr,
  show_cover_pic: optInt,
  need_open_comment: optInt,
  only_fans_can_comment: optInt,
  url: optStr,
  is_deleted: z.union([z.boolean(), z.number()]).nullish(),
});

const newsContentSchema = z.object({
  news_item: z.array(newsItemSchema).nullish(),
  create_time: optTime,
  update_time: optTime,
});

export const publishedPageSchema = z.object({
  total_count: count,
  item_count: count,
  item: z
    .array(
      z.object({
        article_id: key,
        // no_content=1 may leave the bodies (or the whole content) out
        content: newsContentSchema.nullish(),
        create_time: optTime,
        update_time: optTime,
      }),
    )
    .nullish(),
});

export const materialPageSchema = z.object({
  total_count: count,
  item_count: count,
  item: z
    .array(
      z.object({
        media_id: key,
        name: optStr,
        url: optStr,
        content: newsContentSchema.nullish(),
        create_time: optTime,
        update_time: optTime,
      }),
    )
    .nullish(),
});

/** freepublish/getarticle: the news items, and (recorded answers) the article's times */
export const articleSchema = z.object({
  news_item: z.array(newsItemSchema).min(1),
  create_time: optTime,
  update_time: optTime,
});

export const materialCountSchema = z.object({
  voice_count: count,
  video_count: count,
  image_count: count,
  news_count: count,
});

export const quotaSchema = z.object({
  quota: z.object({ daily_limit: count, used: count, remain: count }),
});

const expiresIn = z.number().positive();

/** /cgi-bin/token and /cgi-bin/stable_token */
export const accessTokenSchema = z.object({ access_token: key, expires_in: expiresIn });

export const componentTokenSchema = z.object({ component_access_token: key, expires_in: expiresIn });

export const authorizerTokenSchema = z.object({
  authorizer_access_token: key,
  expires_in: expiresIn,
  // WeChat sends one each time; keep the old one if it ever does not
  authorizer_refresh_token: z.string().min(1).nullish(),
});

export type RawNewsItem = z.output<typeof newsItemSchema>;
export type RawPublishedPage = z.output<typeof publishedPageSchema>;
export type RawMaterialPage = z.output<typeof materialPageSchema>;
