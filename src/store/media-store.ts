// The store as the media mirror uses it: a narrow facade over the media SQL files in sql/.
import type { PrismaClient } from "./prisma.ts";
import type { MediaOwnerKind, MediaOwnerRow } from "./sql/media-owners.ts";
import { recordScan, selectUnscanned, type ScannedOwner } from "./sql/media-scan.ts";
import { claimAssets, deferClaims, markStored, markUnstored, releaseClaims, selectAccountIds, selectMirrorKeys, storedKeyOfHash, type ClaimedAsset, type StoredAsset } from "./sql/media-assets.ts";
import { lockMirrorKeys, selectUnrendered, writeRendered, type RenderedRow } from "./sql/media-render.ts";
import { selectMediaStatus, type MediaStatusRow } from "./sql/media-status.ts";
import { retryFailedAssets } from "./sql/media-retry.ts";

export { MEDIA_OWNER_KINDS, type MediaOwnerKind, type MediaOwnerRow } from "./sql/media-owners.ts";
export type { ScannedOwner, ClaimedAsset, StoredAsset, RenderedRow, MediaStatusRow };

export interface MediaStore {
  accountIds(appIds: string[]): Promise<Map<string, number>>;
  unscanned(kind: MediaOwnerKind, o: { accountIds: number[] | null; scanInputs: string; afterId: bigint; limit: number }): Promise<MediaOwnerRow[]>;
  /** returns how many assets were new */
  recordScan(kind: MediaOwnerKind, scanInputs: string, scanned: ScannedOwner[]): Promise<number>;
  claim(o: { accountIds: number[] | null; limit: number; leaseMs: number; passStart: Date }): Promise<ClaimedAsset[]>;
  release(ids: bigint[]): Promise<void>;
  /** leaves claimed assets for a later pass, the attempt not counted (their host is down) */
  defer(ids: bigint[], error: string | null): Promise<void>;
  storedKeyOfHash(contentHash: string): Promise<string | null>;
  markStored(id: bigint, s: StoredAsset): Promise<void>;
  markFailed(id: bigint, error: string, nextAttemptAt: Date | null): Promise<void>;
  markGone(id: bigint, error: string): Promise<void>;
  unrendered(kind: MediaOwnerKind, o: { accountIds: number[] | null; renderInputs: string; scanInputs: string; afterId: bigint; limit: number }): Promise<MediaOwnerRow[]>;
  /** `render` gets the storage keys of the stored assets among `urls`, locked until the rows are written */
  writeRendered(kind: MediaOwnerKind, renderInputs: string, urls: string[], render: (keys: Map<string, string>) => RenderedRow[]): Promise<number>;
  /** storage keys of the stored assets among `urls` (read API) */
  mirrorKeys(urls: string[]): Promise<Map<string, string>>;
  status(accountIds: number[] | null): Promise<MediaStatusRow>;
  /** makes every failed asset (of these accounts) due now; returns how many */
  retryFailed(accountIds: number[] | null): Promise<number>;
}

export function createMediaStore(prisma: PrismaClient): MediaStore {
  return {
    accountIds: (appIds) => selectAccountIds(prisma, appIds),
    unscanned: (kind, o) => selectUnscanned(prisma, kind, o),
    recordScan: (kind, scanInputs, scanned) => prisma.$transaction((tx) => recordScan(tx, kind, scanInputs, scanned)),
    claim: (o) => claimAssets(prisma, o),
    release: (ids) => releaseClaims(prisma, ids),
    defer: (ids, error) => deferClaims(prisma, ids, error),
    storedKeyOfHash: (h) => storedKeyOfHash(prisma, h),
    markStored: (id, s) => markStored(prisma, id, s),
    markFailed: (id, error, next) => markUnstored(prisma, id, "failed", error, next),
    markGone: (id, error) => markUnstored(prisma, id, "gone", error, null),
    unrendered: (kind, o) => selectUnrendered(prisma, kind, o),
    writeRendered: (kind, renderInputs, urls, render) =>
      prisma.$transaction(async (tx) => writeRendered(tx, kind, renderInputs, render(await lockMirrorKeys(tx, urls))), { timeout: 60_000 }),
    mirrorKeys: (urls) => selectMirrorKeys(prisma, urls),
    status: (accountIds) => selectMediaStatus(prisma, accountIds),
    retryFailed: (accountIds) => retryFailedAssets(prisma, accountIds),
  };
}
