// One source's list as pages of store rows: the only place the engine calls the client.
import { MAX_PAGE_SIZE, type MaterialType, type RequestSlots, type WeChatClient } from "../wechat/types.ts";
import type { ItemRow, StoreSource } from "../store/rows.ts";
import { toArticleRow, toMaterialRow } from "./map-rows.ts";
import type { Source } from "./types.ts";

/** Every page is WeChat's largest. */
export const PAGE_SIZE = MAX_PAGE_SIZE;

export interface FetchedPage {
  offset: number;
  /** total_count of this response */
  total: number;
  rows: ItemRow[];
  /** HTTP requests the call made (retries included) */
  attempts: number;
}

export interface PageReader {
  fetch(offset: number, signal?: AbortSignal): Promise<FetchedPage>;
}

export function storeSourceOf(source: Source): StoreSource {
  return source === "published" ? { kind: "published" } : { kind: "material", type: source.slice("material:".length) };
}

/** `slots`: the account's bound on requests in flight, held for each HTTP exchange only. */
export function pageReader(client: WeChatClient, source: Source, slots?: RequestSlots): PageReader {
  if (source === "published") {
    return {
      async fetch(offset, signal) {
        const p = await client.batchGetPublished({ offset, count: PAGE_SIZE, signal, slots });
        return { offset, total: p.totalCount, rows: p.items.map(toArticleRow), attempts: p.attempts };
      },
    };
  }
  const type = source.slice("material:".length) as MaterialType;
  return {
    async fetch(offset, signal) {
      const p = await client.batchGetMaterial({ type, offset, count: PAGE_SIZE, signal, slots });
      return { offset, total: p.totalCount, rows: p.items.map(toMaterialRow), attempts: p.attempts };
    },
  };
}
