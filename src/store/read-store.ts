// The store as the readers use it (read API, status reports, CLI): a narrow facade over
// the queries in read/. Callers get plain records; HTTP and output shapes are theirs.
import type { PrismaClient } from "./prisma.ts";
import { accountIdOf, accountStates, type AccountState } from "./read/accounts.ts";
import { getArticle, listArticles, type ArticleFilter, type ArticleRecord } from "./read/articles.ts";
import type { KeysetPosition } from "./read/keyset.ts";
import { latestArticles, type ArticleSummary } from "./read/latest-articles.ts";
import { listMaterials, type MaterialFilter, type MaterialRecord } from "./read/materials.ts";
import type { NewsItemRecord } from "./read/news-items.ts";
import { getRun, lastRuns, listRuns, recentRuns, type LastRuns, type RunFilter, type RunRecord } from "./read/runs.ts";
import { selectMediaStatus, type MediaStatusRow } from "./sql/media-status.ts";
import { heldSummary, type HeldSummary } from "./sql/held-deletions.ts";
import { selectMirroredAssets, selectMirrorKeys, type MirroredAsset } from "./sql/media-assets.ts";
import { listChanges, type ChangeFilter, type ChangeRecord } from "./read/changes.ts";
import { feedItems, feedVersion, type FeedItemRecord, type FeedRecords, type FeedVersion } from "./read/feed-items.ts";
import { searchNewsItems, UnsearchableQueryError, type SearchFilter, type SearchHit, type SearchPosition } from "./read/search.ts";

export type { ChangeFilter, ChangeRecord, FeedItemRecord, FeedRecords, FeedVersion, MirroredAsset };
export type { SearchFilter, SearchHit, SearchPosition };
export { UnsearchableQueryError };
export type { AccountState, ArticleFilter, ArticleRecord, ArticleSummary, HeldSummary, KeysetPosition, LastRuns, MediaStatusRow, RunFilter, MaterialFilter, MaterialRecord, NewsItemRecord, RunRecord };

export interface ReadStore {
  /** resolves when Postgres answers a trivial query (readiness) */
  ping(): Promise<void>;
  accountIdOf(appId: string): Promise<number | null>;
  accountStates(appIds: string[]): Promise<Map<string, AccountState>>;
  listArticles(f: ArticleFilter): Promise<{ rows: ArticleRecord[]; more: boolean }>;
  /** deleted news items only with includeDeletedItems (deleted content) */
  getArticle(articleId: string, o: { accountId?: number; includeDeletedItems: boolean }): Promise<ArticleRecord | null>;
  listMaterials(f: MaterialFilter): Promise<{ rows: MaterialRecord[]; more: boolean }>;
  latestArticles(appId: string, limit: number): Promise<ArticleSummary[]>;
  recentRuns(q: { appId?: string; source?: string; limit: number }): Promise<RunRecord[]>;
  lastRuns(appIds: string[]): Promise<Map<string, LastRuns>>;
  /** a page of runs, newest first, with filters (the console) */
  listRuns(f: RunFilter): Promise<{ rows: RunRecord[]; more: boolean }>;
  getRun(id: bigint): Promise<RunRecord | null>;
  /** media_assets by state; null: every account */
  mediaStatus(accountIds: number[] | null): Promise<MediaStatusRow>;
  /** deletions the circuit breaker holds, per account and source (status, metrics) */
  heldDeletions(filter: { appIds?: string[]; source?: string }): Promise<HeldSummary[]>;
  /** storage keys of the mirrored (stored) media among these source URLs */
  mirrorKeys(urls: string[]): Promise<Map<string, string>>;
  /** the change feed's events after a cursor, in commit order */
  listChanges(f: ChangeFilter): Promise<ChangeRecord[]>;
  /** stored media among these source URLs, with type and size (feed enclosures) */
  mirroredAssets(urls: string[]): Promise<Map<string, MirroredAsset>>;
  /** the newest `entries` live news items of an account's live articles, for its feeds */
  feedItems(appId: string, entries: number): Promise<FeedRecords>;
  /** what a feed's content depends on (cheap: no item is read) */
  feedVersion(appId: string): Promise<FeedVersion>;
  /** news items matching a search query, best first (mpsync_search); throws UnsearchableQueryError */
  search(f: SearchFilter): Promise<{ rows: SearchHit[]; more: boolean }>;
}

export function createReadStore(prisma: PrismaClient): ReadStore {
  return {
    ping: async () => {
      await prisma.$queryRaw`SELECT 1`;
    },
    accountIdOf: (appId) => accountIdOf(prisma, appId),
    accountStates: (appIds) => accountStates(prisma, appIds),
    listArticles: (f) => listArticles(prisma, f),
    getArticle: (articleId, o) => getArticle(prisma, articleId, o),
    listMaterials: (f) => listMaterials(prisma, f),
    latestArticles: (appId, limit) => latestArticles(prisma, appId, limit),
    recentRuns: (q) => recentRuns(prisma, q),
    lastRuns: (appIds) => lastRuns(prisma, appIds),
    listRuns: (f) => listRuns(prisma, f),
    getRun: (id) => getRun(prisma, id),
    mediaStatus: (accountIds) => selectMediaStatus(prisma, accountIds),
    heldDeletions: (filter) => heldSummary(prisma, filter),
    mirrorKeys: (urls) => selectMirrorKeys(prisma, urls),
    listChanges: (f) => listChanges(prisma, f),
    mirroredAssets: (urls) => selectMirroredAssets(prisma, urls),
    feedItems: (appId, entries) => feedItems(prisma, appId, entries),
    feedVersion: (appId) => feedVersion(prisma, appId),
    search: (f) => searchNewsItems(prisma, f),
  };
}
