// The synced rows that reference media (owner kinds of media_links), and the tables they
// live in. SQL is built from this fixed whitelist only.
export const MEDIA_OWNERS = {
  /** body HTML and cover of a published article's news item */
  published_news_item: { table: "published_news_items", key: "article_id", news: true },
  /** body HTML and cover of a news material's item */
  material_news_item: { table: "material_news_items", key: "media_id", news: true },
  /** an image material's url */
  material: { table: "materials", key: "media_id", news: false },
} as const;

export type MediaOwnerKind = keyof typeof MEDIA_OWNERS;
export const MEDIA_OWNER_KINDS = Object.keys(MEDIA_OWNERS) as MediaOwnerKind[];

/** A row whose media are recorded or rendered. */
export interface MediaOwnerRow {
  id: bigint;
  accountId: number;
  ownerKey: string;
  idx: number;
  contentHash: string;
  /** body HTML (news items), null for materials */
  content: string | null;
  /** thumb_url (news items) or url (image materials) */
  imageUrl: string | null;
}

interface RawOwnerRow {
  id: bigint;
  account_id: number;
  owner_key: string;
  idx: number;
  content_hash: string;
  content: string | null;
  image_url: string | null;
}

export const ownerColumns = (kind: MediaOwnerKind): string => {
  const o = MEDIA_OWNERS[kind];
  return o.news
    ? `id, account_id, ${o.key} AS owner_key, idx, content_hash, content, thumb_url AS image_url`
    : `id, account_id, ${o.key} AS owner_key, 0 AS idx, content_hash, NULL::text AS content, url AS image_url`;
};

/** Materials other than images reference no media. */
export const ownerFilter = (kind: MediaOwnerKind): string => (MEDIA_OWNERS[kind].news ? "TRUE" : "type = 'image'");

export const toOwnerRow = (r: RawOwnerRow): MediaOwnerRow => ({
  id: r.id,
  accountId: r.account_id,
  ownerKey: r.owner_key,
  idx: Number(r.idx),
  contentHash: r.content_hash,
  content: r.content,
  imageUrl: r.image_url,
});

export type { RawOwnerRow };
