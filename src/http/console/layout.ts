// The page frame: header with navigation and logout, one <main>.
import { html, type Html } from "./html.ts";

export interface PageOptions {
  title: string;
  /** which navigation entry is highlighted */
  nav?: "overview" | "runs" | "articles";
  csrf?: string;
  flash?: string;
  /** seconds between in-place refreshes of <main> (progressive enhancement) */
  refresh?: number;
  /** the bull-board dashboard is served */
  dashboard?: boolean;
}

export function page(o: PageOptions, body: Html): string {
  const link = (id: PageOptions["nav"], href: string, label: string) => html`<a href="${href}" class="${o.nav === id ? "on" : ""}">${label}</a>`;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${o.title} · mpsync</title><link rel="stylesheet" href="/console/app.css"><script src="/console/app.js" defer></script></head>
<body>${
    o.csrf
      ? html`<header><span class="brand">mpsync</span><nav>${link("overview", "/", "Overview")}${link("runs", "/runs", "Runs")}${link("articles", "/articles", "Articles")}${o.dashboard ? html`<a href="/admin/queues">Queues</a>` : ""}</nav>
<form class="inline" method="post" action="/logout"><input type="hidden" name="_csrf" value="${o.csrf}"><button type="submit">Log out</button></form></header>`
      : ""
  }
<main${o.refresh ? html` data-refresh="${o.refresh}"` : ""}>${o.flash ? html`<div class="flash" role="status">${o.flash}</div>` : ""}${body}</main></body></html>`.text;
}

export const badge = (status: string | null | undefined): Html => (status ? html`<span class="badge ${status}">${status}</span>` : html`<span class="muted">–</span>`);

/** "3 min ago"-style age and the exact time on hover. */
export function when(d: string | Date | null | undefined, now = new Date()): Html {
  if (!d) return html`<span class="muted">–</span>`;
  const t = typeof d === "string" ? new Date(d) : d;
  const s = Math.round((t.getTime() - now.getTime()) / 1000);
  const a = Math.abs(s);
  const span = a < 60 ? `${a} s` : a < 3600 ? `${Math.round(a / 60)} min` : a < 86400 ? `${Math.round(a / 3600)} h` : `${Math.round(a / 86400)} d`;
  return html`<time datetime="${t.toISOString()}" title="${t.toISOString()}">${s <= 0 ? `${span} ago` : `in ${span}`}</time>`;
}

export function duration(start: string | Date | null, end: string | Date | null): string {
  if (!start || !end) return "–";
  const ms = new Date(end).getTime() - new Date(start).getTime();
  return ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
