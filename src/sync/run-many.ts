// Runs several (account, source) syncs side by side (the engine bounds each account's
// requests in flight to its concurrency). Every target runs even when another fails;
// the first failure is re-thrown at the end, naming its account and source.
import type { AccountConfig } from "../config/config.ts";
import { SyncTargetFailedError, UnknownAccountError } from "./errors.ts";
import { SOURCES, type RunProgress, type RunResult, type Source, type SyncEngine, type SyncMode, type SyncTrigger } from "./types.ts";

export interface SyncTarget {
  appId: string;
  source: Source;
}

/** All configured accounts and all five sources unless narrowed. */
export function syncTargets(accounts: AccountConfig[], appId?: string, source?: Source): SyncTarget[] {
  if (appId && !accounts.some((a) => a.appId === appId)) throw new UnknownAccountError(appId);
  const ids = appId ? [appId] : accounts.map((a) => a.appId);
  return ids.flatMap((id) => (source ? [source] : [...SOURCES]).map((s) => ({ appId: id, source: s })));
}

export interface RunManyOptions {
  mode: SyncMode;
  trigger: SyncTrigger;
  /** see SyncRequest.recheckQuota */
  recheckQuota?: boolean;
  signal?: AbortSignal;
  onResult?(target: SyncTarget, result: RunResult): void;
  /** after each committed page of a target's run */
  onProgress?(target: SyncTarget, progress: RunProgress): void;
}

export async function runMany(engine: SyncEngine, targets: SyncTarget[], opts: RunManyOptions): Promise<RunResult[]> {
  const results: RunResult[] = [];
  const failures: { target: SyncTarget; error: unknown }[] = [];
  await Promise.all(
    targets.map(async (target) => {
      try {
        const onProgress = opts.onProgress ? (p: RunProgress) => opts.onProgress!(target, p) : undefined;
        const r = await engine.run({ ...target, mode: opts.mode, trigger: opts.trigger, signal: opts.signal, recheckQuota: opts.recheckQuota, onProgress });
        results.push(r);
        opts.onResult?.(target, r);
      } catch (error) {
        failures.push({ target, error });
      }
    }),
  );
  const first = failures[0];
  if (first) throw new SyncTargetFailedError(first.target.appId, first.target.source, first.error, failures.length - 1);
  return results;
}
