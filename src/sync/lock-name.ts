// The advisory lock that keeps an (account, source) to one writer at a time: a sync run,
// or an operator applying held deletions.
export function syncLockName(appId: string, source: string): string {
  return `mpsync:sync:${appId}:${source}`;
}
