// The read API's media fields: mirror URLs of thumb_url / url, and display-ready HTML made
// at request time from the original content and the mirrors stored so far, so the answer
// is current even before the media job has written the display columns.
import type { MediaConfig } from "../config/media.ts";
import type { MediaStore } from "../store/media-store.ts";
import { renderDisplayHtml } from "./display-html.ts";
import { extractMediaUrls } from "./extract.ts";
import { publicMediaUrl } from "./keys.ts";
import { absoluteMediaUrl, createHostMatcher } from "./urls.ts";

export interface DisplayFields {
  /** the public mirror URL of a source URL, or null */
  mirrorUrl(url: string | null | undefined): string | null;
  contentHtml(content: string | null | undefined): string | null;
}

/** Looks up, in one query, the mirrors of the given image URLs and of the images in the given bodies. */
export async function displayFields(store: Pick<MediaStore, "mirrorKeys">, config: MediaConfig, o: { urls: (string | null | undefined)[]; contents?: (string | null | undefined)[] }): Promise<DisplayFields> {
  const isMediaHost = createHostMatcher(config.sourceHosts);
  const wanted = [...o.urls.map(absoluteMediaUrl), ...(o.contents ?? []).flatMap((c) => extractMediaUrls(c))].filter((u): u is string => u !== null && isMediaHost(u));
  const keys = await store.mirrorKeys(wanted);
  const mirrorOf = (u: string): string | null => {
    const key = keys.get(u);
    return key ? publicMediaUrl(config.publicBaseUrl, key) : null;
  };
  return {
    mirrorUrl(url) {
      const u = absoluteMediaUrl(url);
      return u ? mirrorOf(u) : null;
    },
    contentHtml: (content) => renderDisplayHtml(content, mirrorOf),
  };
}
