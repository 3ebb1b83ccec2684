// Progress of long CLI work on a terminal (stderr, so stdout keeps only results): one bar
// per (account, source) for syncs (pages done of the list's total, items, elapsed), one for
// a media pass (assets done of the backlog, bytes). Not a TTY: no progress object at all,
// so nothing animated reaches a pipe or a log file.
import cliProgress from "cli-progress";
import { routeTerminalLogs } from "../logging/logger.ts";
import { MAX_PAGE_SIZE } from "../wechat/types.ts";
import { megabytes } from "../format/megabytes.ts";

export interface SyncProgressUpdate {
  appId: string;
  source: string;
  mode: string;
  pages: number;
  itemsSeen: number;
  inserted: number;
  updated: number;
  /** items the list reported in total, when known */
  totalCount: number | null;
}

export interface SyncProgressView {
  update(p: SyncProgressUpdate): void;
  /** a bar's run is over (its result is printed after stop) */
  finish(appId: string, source: string, failed?: boolean): void;
  stop(): void;
}

export interface MediaProgressView {
  /** the assets still pending at this moment (the backlog is those plus the ones done) */
  backlog(pending: number): void;
  download(bytes: number): void;
  stop(): void;
}

/** The terminal the progress goes to, or null when stderr is not one (or NO_PROGRESS is set). */
function terminal(stream: NodeJS.WriteStream = process.stderr): NodeJS.WriteStream | null {
  return stream.isTTY === true && !process.env.NO_PROGRESS ? stream : null;
}


export function syncProgress(stream?: NodeJS.WriteStream): SyncProgressView | null {
  const out = terminal(stream);
  if (!out) return null;
  // drawn from the first update on (a queued sync without --wait never draws)
  let multi: cliProgress.MultiBar | null = null;
  const bars0 = (): cliProgress.MultiBar => {
    if (multi) return multi;
    const m = new cliProgress.MultiBar(
      { stream: out, format: "{label} [{bar}] {value}/{totalText} pages | {items} items | {duration_formatted}", hideCursor: true, clearOnComplete: false, barsize: 24, autopadding: true, fps: 8 },
      cliProgress.Presets.shades_classic,
    );
    routeTerminalLogs((line) => m.log(line.endsWith("\n") ? line : `${line}\n`));
    multi = m;
    return m;
  };
  const bars = new Map<string, cliProgress.SingleBar>();
  const pagesOf = new Map<string, number>();
  const label = (appId: string, source: string) => `${appId} ${source}`.padEnd(34);
  const barOf = (p: { appId: string; source: string; mode?: string }) => {
    const key = `${p.appId}|${p.source}`;
    let bar = bars.get(key);
    if (!bar) {
      bar = bars0().create(1, 0, { label: label(p.appId, p.source), totalText: "?", items: 0 });
      bars.set(key, bar);
    }
    return bar;
  };
  return {
    update(p) {
      const bar = barOf(p);
      pagesOf.set(`${p.appId}|${p.source}`, p.pages);
      const totalPages = p.totalCount !== null ? Math.max(1, Math.ceil(p.totalCount / MAX_PAGE_SIZE)) : null;
      bar.setTotal(Math.max(totalPages ?? p.pages + 1, p.pages));
      const items = p.totalCount !== null ? `${p.itemsSeen}/${p.totalCount}` : `${p.itemsSeen}`;
      bar.update(p.pages, { totalText: totalPages ?? "?", items: `${items} (${p.inserted} new, ${p.updated} changed)` });
    },
    finish(appId, source, failed) {
      const bar = barOf({ appId, source });
      const pages = pagesOf.get(`${appId}|${source}`) ?? 0;
      // the walk is over: the bar is full at the pages it took
      bar.setTotal(Math.max(1, pages));
      bar.update(Math.max(1, pages), { totalText: Math.max(1, pages), ...(failed ? { label: `${appId} ${source} FAILED`.padEnd(34) } : {}) });
    },
    stop() {
      if (!multi) return;
      multi.stop();
      routeTerminalLogs(null);
    },
  };
}

export function mediaProgress(stream?: NodeJS.WriteStream): MediaProgressView | null {
  const out = terminal(stream);
  if (!out) return null;
  const bar = new cliProgress.SingleBar(
    { stream: out, format: "media [{bar}] {value}/{totalText} assets | {bytes} | {duration_formatted}", hideCursor: true, barsize: 24, fps: 8 },
    cliProgress.Presets.shades_classic,
  );
  let done = 0;
  let bytes = 0;
  let total: number | null = null;
  bar.start(1, 0, { totalText: "?", bytes: megabytes(0) });
  // a log line clears the bar's line; the bar redraws below it on its next tick
  routeTerminalLogs((line) => out.write(`\r\x1b[K${line.endsWith("\n") ? line : `${line}\n`}`));
  return {
    backlog(pending) {
      const n = done + pending;
      total = n;
      bar.setTotal(Math.max(n, done, 1));
      bar.update(done, { totalText: n });
    },
    download(b) {
      done++;
      bytes += b;
      if (total === null || done > total) bar.setTotal(done + 1);
      bar.update(done, { bytes: megabytes(bytes) });
    },
    stop() {
      bar.stop();
      routeTerminalLogs(null);
    },
  };
}
