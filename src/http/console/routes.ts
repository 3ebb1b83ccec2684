// The operator console at / (when ADMIN_TOKEN is set): server-rendered, escaped HTML over
// the same store and status layer as the CLI and the admin API. Login takes the admin
// token; every POST carries the session's CSRF token.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { changeFeedConfigOf } from "../../config/change-feed.ts";
import { mediaConfigOf } from "../../media/service.ts";
import { displayFields } from "../../media/display-fields.ts";
import { statusReport, type TargetStatus } from "../../status/report.ts";
import { quotaReport, type QuotaStatus } from "../../status/quota.ts";
import { pushStatus } from "../../status/push.ts";
import { pushBlock } from "./push-block.ts";
import { plannerSettings, searchIndexOn } from "../../config/config.ts";
import { runOut } from "../../status/runs.ts";
import { SOURCES, type Source } from "../../sync/types.ts";
import { countersByColumn } from "../../store/run-counters.ts";
import { UnsearchableQueryError, type MediaStatusRow } from "../../store/read-store.ts";
import { replayWebhooks, webhookStatus, NoSuchEndpointError } from "../../webhooks/operator.ts";
import { displayUrl } from "../../webhooks/dispatch.ts";
import type { TargetQueueStatus } from "../../job-queue.ts";
import { tokenMatches } from "../auth.ts";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import { decodeSearchCursor, encodeSearchCursor } from "../search-cursor.ts";
import type { ServerDeps } from "../deps.ts";
import { InvalidParameterError } from "../errors.ts";
import { adviceFor } from "./advice.ts";
import { Html, html, query } from "./html.ts";
import { badge, duration, page, when } from "./layout.ts";
import { consoleAssets, send } from "./respond.ts";
import { hasConsoleSession, secureOnHttps } from "./session.ts";
import { DEFAULT_CONSOLE_SESSION } from "../../config/defaults.ts";
import { withRetryAfter, type AuthFailures } from "../auth-failures.ts";
import { int8String, parseInput } from "../validate.ts";
import { formatObjects, formatReferences, urlCount } from "../../media/counts.ts";
import { RELATIVE_MEDIA_WARNING } from "../../config/public-url.ts";

const RUNS_PAGE = 25;
const ARTICLES_PAGE = 20;
const opt = z.string().max(200).optional().transform((v) => (v ? v : undefined));
const runsQuery = z.object({ account: opt, source: z.enum(SOURCES).or(z.literal("")).optional(), status: opt, before: int8String("must be a run id").optional() });
const articlesQuery = z.object({ account: opt, q: opt, cursor: opt });
const resyncBody = z.object({ account: z.string().min(1), source: z.enum(SOURCES).or(z.literal("")).optional(), mode: z.enum(["full", "incremental"]).default("full") });

/** A search snippet (escaped text with <mark> around matches, made by mpsync_search) as markup; anything else in it is escaped again. */
function snippetHtml(snippet: string): Html {
  return /[<>]/.test(snippet.replace(/<\/?mark>/g, "")) ? html`${snippet}` : new Html(snippet);
}

export function consoleRoutes(app: FastifyInstance, deps: ServerDeps, adminToken: string, failures: AuthFailures): void {
  const media = mediaConfigOf(deps.config);
  const endpoints = changeFeedConfigOf(deps.config).webhooks;
  const appIds = deps.config.accounts.map((a) => a.appId);
  const dashboard = deps.queue !== undefined;
  const lifetimes = deps.config.http.consoleSession ?? DEFAULT_CONSOLE_SESSION;
  const minutes = (ms: number): string => {
    const m = Math.max(1, Math.round(ms / 60_000));
    return m % 60 === 0 ? `${m / 60} hour${m === 60 ? "" : "s"}` : `${m} minutes`;
  };

  /** a page for a logged-in operator: CSRF token for its forms, the pending flash message */
  const render = async (req: FastifyRequest, reply: FastifyReply, o: { title: string; nav?: "overview" | "runs" | "articles"; refresh?: number }, body: Html) => {
    const flash = req.session.get("flash");
    if (flash) req.session.set("flash", undefined);
    return send(reply, page({ ...o, csrf: reply.generateCsrf(), flash, dashboard }, body));
  };
  const csrfField = (reply: FastifyReply) => html`<input type="hidden" name="_csrf" value="${reply.generateCsrf()}">`;
  const back = (req: FastifyRequest, reply: FastifyReply, to: string, flash: string) => {
    req.session.set("flash", flash);
    return reply.code(303).redirect(to);
  };

  consoleAssets(app);

  // ---- login / logout
  const loginPage = (reply: FastifyReply, error?: string, status = 200) =>
    send(
      reply,
      page(
        { title: "Log in" },
        html`<div class="login card"><h1>mpsync console</h1>${error ? html`<div class="error" role="alert">${error}</div>` : ""}
<form method="post" action="/login">${csrfField(reply)}<label for="token">Admin token</label><input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button class="primary" type="submit">Log in</button></form><p class="muted">The value of <code>ADMIN_TOKEN</code>. A login ends after ${minutes(lifetimes.idleMs)} without use and ${minutes(lifetimes.maxMs)} after logging in.</p></div>`,
      ),
      status,
    );
  app.register(async (auth) => {
    auth.setErrorHandler(async (err, req, reply) => {
      const status = (err as { statusCode?: number }).statusCode;
      if (status === 403) return loginPage(reply, "The login form had expired or was not sent by this page. Try again.", 403);
      if (err instanceof InvalidParameterError) return loginPage(reply, err.message, 400);
      // a body too large (413), an unsupported content type (415), a malformed form (400)
      if (status && status >= 400 && status < 500) return loginPage(reply, (err as Error).message, status);
      req.log.error({ err }, "console login failed");
      return loginPage(reply, "Internal error; see the worker log.", 500);
    });
    // the form and a refused login store nothing: only the CSRF cookie and, for a failure,
    // this client's failure count (auth-failures.ts)
    auth.get("/login", async (req, reply) => {
      if (hasConsoleSession(req)) return reply.redirect("/");
      return loginPage(reply);
    });
    const limited = async (req: FastifyRequest, reply: FastifyReply) => {
      const wait = await failures.retryAfterMs(req);
      if (wait > 0) return loginPage(withRetryAfter(reply, wait), "Too many failed logins from this address. Wait a minute and try again.", 429);
    };
    auth.post("/login", { preHandler: [limited, auth.csrfProtection] }, async (req, reply) => {
      const token = (req.body as { token?: unknown } | undefined)?.token;
      if (typeof token !== "string" || !tokenMatches(token, adminToken)) {
        await failures.record(req);
        req.log.warn({ ip: req.ip }, "console login refused");
        return loginPage(reply, "That is not the admin token.", 401);
      }
      await req.session.regenerate(); // a new session id at login (no fixation)
      secureOnHttps(req);
      req.session.set("admin", true);
      req.session.set("loginAt", Date.now());
      req.session.set("justLoggedIn", true);
      return reply.code(303).redirect("/");
    });
    auth.post("/logout", { preHandler: auth.csrfProtection }, async (req, reply) => {
      await req.session.destroy();
      return reply.code(303).redirect("/login");
    });
  });

  // ---- everything below needs a session (pages redirect to the login, actions refuse)
  app.register(async (pages) => {
    pages.addHook("onRequest", async (req, reply) => {
      if (hasConsoleSession(req)) return;
      if (req.method === "GET" || req.method === "HEAD") return reply.code(303).redirect("/login");
      return send(reply, page({ title: "Not logged in" }, html`<div class="error">Not logged in. <a href="/login">Log in</a></div>`), 401);
    });
    pages.setErrorHandler(async (err, req, reply) => {
      const status = (err as { statusCode?: number }).statusCode;
      if (err instanceof InvalidParameterError) return send(reply, page({ title: "Bad request" }, html`<div class="error">${err.field}: ${err.message}</div><a href="/">Back</a>`), 400);
      if (status === 403) return send(reply, page({ title: "Refused" }, html`<div class="error">The form was stale or not sent by this console (CSRF check failed). Reload the page and try again.</div><a href="/">Back</a>`), 403);
      if (status && status >= 400 && status < 500) return send(reply, page({ title: "Bad request" }, html`<div class="error">${(err as Error).message}</div>`), status);
      req.log.error({ err, url: req.routeOptions.url }, "console request failed");
      return send(reply, page({ title: "Error" }, html`<div class="error">Internal error; see the worker log.</div>`), 500);
    });

    pages.get("/", async (req, reply) => {
      const targets: TargetQueueStatus[] = deps.queue
        ? await deps.queue.targets(deps.config.accounts)
        : deps.config.accounts.flatMap((a) => SOURCES.map((source) => ({ appId: a.appId, source, pendingJobId: null, activeJobId: null, nextIncremental: null, nextFull: null })));
      const [report, quotas, mediaByAccount, hooks, pushes] = await Promise.all([
        statusReport(deps.reads, targets),
        quotaReport(deps.redis, deps.config.redisPrefix, deps.config.accounts, plannerSettings(deps.config).quotaReservePercent),
        Promise.all(appIds.map(async (id) => [id, await mediaOf(id)] as const)),
        deps.changeFeed ? webhookStatus(deps.changeFeed, endpoints) : null,
        deps.pushes ? pushStatus(deps.pushes, deps.redis, deps.config.redisPrefix, deps.config.accounts, plannerSettings(deps.config).quotaReservePercent) : null,
      ]);
      const byAccount = new Map<string, TargetStatus[]>();
      for (const t of report) byAccount.set(t.appId, [...(byAccount.get(t.appId) ?? []), t]);
      const mediaMap = new Map(mediaByAccount);
      const failing = hooks ? hooks.endpoints.filter((e) => e.dead > 0 || e.last_error) : [];
      return render(req, reply, { title: "Overview", nav: "overview", refresh: 5 }, html`<h1>Overview</h1>
${media.enabled && media.publicBaseUrl === undefined ? html`<div class="error" role="status" data-notice="relative-media">${RELATIVE_MEDIA_WARNING}</div>` : ""}
${[...byAccount].map(([appId, rows]) => {
  const name = deps.config.accounts.find((a) => a.appId === appId)?.name;
  const m = mediaMap.get(appId);
  return html`<section class="card account" data-account="${appId}"><h2>${name ? html`${name} <span class="muted">${appId}</span>` : appId}</h2>
<div class="scroll"><table><thead><tr><th>source</th><th>state</th><th>last run</th><th>result</th><th>items</th><th>next incremental</th><th>next full</th><th>held deletions</th><th></th></tr></thead><tbody>
${rows.map((t) => targetRow(t, reply))}
</tbody></table></div>
<div class="actions"><form class="inline" method="post" action="/actions/resync">${csrfField(reply)}<input type="hidden" name="account" value="${appId}"><input type="hidden" name="mode" value="full"><button type="submit" class="primary">Full resync of every source</button></form>
<form class="inline" method="post" action="/actions/resync">${csrfField(reply)}<input type="hidden" name="account" value="${appId}"><input type="hidden" name="mode" value="incremental"><button type="submit">Incremental sync of every source</button></form></div>
${quotaBlock(quotas.filter((q) => q.account === appId))}
${m ? mediaBlock(appId, m, reply) : ""}
${pushBlock(pushes?.find((p) => p.account === appId))}</section>`;
})}
${hooks ? webhooksBlock(hooks, failing, reply) : ""}`);
    });

    const mediaOf = async (appId: string): Promise<MediaStatusRow | null> => {
      const id = await deps.reads.accountIdOf(appId);
      return id === null ? null : deps.reads.mediaStatus([id]);
    };

    function targetRow(t: TargetStatus, reply: FastifyReply): Html {
      const r = t.lastRun;
      const state = t.activeJobId ? "running" : t.throttledUntil ? "throttled" : t.pendingJobId ? "pending" : r?.status === "paused" ? "paused" : "idle";
      return html`<tr data-source="${t.source}"><td>${t.source}</td><td>${badge(state)}${t.throttledUntil ? html` <span class="muted">until ${when(t.throttledUntil)}</span>` : ""}</td>
<td>${r ? html`<a href="/runs/${r.id}">#${r.id}</a> ${r.mode} ${when(r.started_at)}` : html`<span class="muted">never</span>`}</td><td>${r ? badge(r.status) : ""}${r?.error_code !== null && r?.error_code !== undefined ? html` <span class="muted">errcode ${r.error_code}</span>` : ""}</td>
<td>${r ? `${r.items_seen} seen, ${r.inserted + r.updated} written` : "–"}</td><td>${when(t.nextIncremental)}</td><td>${when(t.nextFull)}</td><td>${t.deletionsHeld ? html`<span class="failed">${t.deletionsHeld}</span> <span class="muted">(mpsync deletions)</span>` : "0"}</td>
<td><form class="inline" method="post" action="/actions/resync">${csrfField(reply)}<input type="hidden" name="account" value="${t.appId}"><input type="hidden" name="source" value="${t.source}"><select name="mode" aria-label="mode"><option value="incremental">incremental</option><option value="full">full</option></select> <button type="submit">Resync</button></form></td></tr>`;
    }

    /** the daily quota per API, as last read (a status never spends a quota call) */
    function quotaBlock(qs: QuotaStatus[]): Html {
      if (qs.length === 0) return html``;
      return html`<p class="quota">Daily quota: ${qs.map(
        (q, i) =>
          html`${i ? " · " : ""}<span title="${q.interval_reason}">${q.api} ${
            q.known ? html`<span class="${q.remain !== null && q.reserve !== null && q.remain <= q.reserve ? "failed" : ""}">${q.used}/${q.limit} used</span>` : html`<span class="muted">${q.error ? "unreadable" : "not read yet"}</span>`
          } (incremental every ${q.interval_minutes} min)</span>`,
      )}</p>`;
    }

    function mediaBlock(appId: string, m: MediaStatusRow, reply: FastifyReply): Html {
      const s = m.states;
      // the words of src/media/counts.ts: URLs by state, objects, references
      return html`<div class="media">Media: ${urlCount(m)} URLs (<span class="stored">${s.stored.count} stored</span> · <span class="pending">${s.pending.count} pending</span> · <span class="${s.failed.count ? "failed" : ""}">${s.failed.count} failed</span> (${m.retrying} to be retried) · ${s.gone.count} gone) · ${formatObjects(m)} · ${formatReferences(m)}
${s.failed.count ? html`<form class="inline" method="post" action="/actions/media-retry">${csrfField(reply)}<input type="hidden" name="account" value="${appId}"><button type="submit">Retry failed media</button></form>` : ""}</div>`;
    }

    function webhooksBlock(h: Awaited<ReturnType<typeof webhookStatus>>, failing: typeof h.endpoints, reply: FastifyReply): Html {
      if (h.endpoints.length === 0) return html``;
      return html`<section class="card"><h2>Webhooks</h2>${failing.length ? html`<p class="failed">${failing.length} endpoint(s) failing</p>` : html`<p class="succeeded">every endpoint delivering</p>`}
<div class="scroll"><table><thead><tr><th>endpoint</th><th>scope</th><th>delivered</th><th>pending</th><th>dead</th><th>last attempt</th><th>last error</th><th></th></tr></thead><tbody>
${h.endpoints.map((e) => html`<tr><td>${e.url}</td><td>${e.scope ?? "every account"}</td><td>${e.delivered}</td><td>${e.pending}</td><td class="${e.dead ? "dead" : ""}">${e.dead}</td><td>${when(e.last_attempt_at)}</td><td class="wrap">${e.last_error ?? ""}</td>
<td>${e.dead ? replayForm(e.url, minDead(h, e.url), reply) : ""}</td></tr>`)}
</tbody></table></div></section>`;
    }
    const minDead = (h: Awaited<ReturnType<typeof webhookStatus>>, url: string): bigint => {
      const ids = h.dead.filter((d) => d.url === url).map((d) => BigInt(d.event_id));
      return ids.length ? ids.reduce((a, b) => (b < a ? b : a)) - 1n : 0n;
    };
    const replayForm = (url: string, after: bigint, reply: FastifyReply) =>
      html`<form class="inline" method="post" action="/actions/webhook-replay">${csrfField(reply)}<input type="hidden" name="url" value="${url}"><input type="hidden" name="after" value="${after.toString()}"><button type="submit">Replay dead deliveries</button></form>`;

    pages.get("/runs", async (req, reply) => {
      const q = parseInput(runsQuery, req.query);
      const source = q.source || undefined;
      const list = await deps.reads.listRuns({ appId: q.account, source, status: q.status, beforeId: q.before ? BigInt(q.before) : undefined, limit: RUNS_PAGE });
      const runs = list.rows.map(runOut);
      const filters = { account: q.account, source, status: q.status };
      const sel = (name: string, values: readonly string[], current: string | undefined) =>
        html`<label>${name}<select name="${name}"><option value="">any</option>${values.map((v) => html`<option value="${v}"${v === current ? html` selected` : ""}>${v}</option>`)}</select></label>`;
      return render(req, reply, { title: "Runs", nav: "runs", refresh: q.before ? undefined : 3 }, html`<h1>Runs</h1>
<form class="filters" method="get" action="/runs">${sel("account", appIds, q.account)}${sel("source", SOURCES, source)}${sel("status", ["running", "succeeded", "failed", "paused", "interrupted"], q.status)}<button type="submit">Filter</button></form>
<div class="scroll"><table id="runs"><thead><tr><th>run</th><th>account</th><th>source</th><th>mode</th><th>trigger</th><th>status</th><th>started</th><th>duration</th><th>pages</th><th>error</th></tr></thead><tbody>
${runs.length ? runs.map((r) => html`<tr data-run="${r.id}"><td><a href="/runs/${r.id}">#${r.id}</a></td><td>${r.account}</td><td>${r.source}</td><td>${r.mode}</td><td>${r.trigger}</td><td>${badge(r.status)}</td><td>${when(r.started_at)}</td><td>${duration(r.started_at, r.finished_at)}</td><td>${r.pages}</td><td class="wrap">${r.error_code !== null ? `errcode ${r.error_code}` : ""} ${r.error_message ? r.error_message.slice(0, 80) : ""}</td></tr>`) : html`<tr><td colspan="10" class="muted">no runs</td></tr>`}
</tbody></table></div>
<div class="pager">${q.before ? html`<a href="/runs${query(filters)}">newest</a>` : ""}${list.more ? html`<a href="/runs${query({ ...filters, before: list.rows[list.rows.length - 1]!.id.toString() })}">older →</a>` : ""}</div>`);
    });

    pages.get("/runs/:id", async (req, reply) => {
      const id = (req.params as { id: string }).id;
      if (!int8String().safeParse(id).success) throw new InvalidParameterError("id", "is not a run id");
      const rec = await deps.reads.getRun(BigInt(id));
      if (!rec) return send(reply, page({ title: "Not found", csrf: reply.generateCsrf(), dashboard }, html`<div class="error">No run #${id}.</div><a href="/runs">Runs</a>`), 404);
      const r = runOut(rec);
      const advice = r.status === "failed" ? adviceFor(r.error_code, r.error_message) : null;
      return render(req, reply, { title: `Run #${r.id}`, nav: "runs", refresh: r.status === "running" ? 3 : undefined }, html`<h1>Run #${r.id} ${badge(r.status)}</h1>
<div class="card"><dl class="kv"><dt>account</dt><dd>${r.account}</dd><dt>source</dt><dd>${r.source}</dd><dt>mode</dt><dd>${r.mode}</dd><dt>trigger</dt><dd>${r.trigger}</dd>
<dt>started</dt><dd>${r.started_at} (${when(r.started_at)})</dd><dt>finished</dt><dd>${r.finished_at ?? "–"}</dd><dt>duration</dt><dd>${duration(r.started_at, r.finished_at)}</dd>
<dt>consistency</dt><dd class="wrap">${r.consistency_note ?? html`<span class="muted">consistent</span>`}</dd>
${r.status === "paused" ? html`<dt>paused</dt><dd class="wrap">${r.paused_reason ?? "daily quota"}; the planner resumes it ${when(r.resume_at)}</dd>` : ""}
${r.status === "interrupted" && r.error_message ? html`<dt>interrupted</dt><dd class="wrap">${r.error_message}; the next run of this source continues from its checkpoint</dd>` : ""}
${rec.walk.runs > 1 ? html`<dt>walk</dt><dd>resumed: one walk over ${rec.walk.runs} runs since <a href="/runs/${rec.walk.firstRunId.toString()}">#${rec.walk.firstRunId.toString()}</a> (${when(rec.walk.startedAt)}); ${rec.walk.counters.pages} pages, ${rec.walk.counters.itemsSeen} items in all</dd>` : ""}</dl></div>
${r.status === "failed" ? html`<div class="error"><strong>${r.error_code !== null ? `errcode ${r.error_code}: ` : ""}</strong>${r.error_message ?? "failed"}${advice ? html`<p><strong>What to do:</strong> ${advice}</p>` : ""}</div>` : ""}
<h2>Counters</h2><div class="card"><dl class="kv">${Object.entries(countersByColumn(rec)).map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl></div>
<form method="post" action="/actions/resync">${csrfField(reply)}<input type="hidden" name="account" value="${r.account}"><input type="hidden" name="source" value="${r.source}"><input type="hidden" name="mode" value="${r.mode === "full" ? "full" : "incremental"}"><button type="submit" class="primary">Run again (${r.mode === "full" ? "full" : "incremental"})</button></form>`);
    });

    pages.get("/articles", async (req, reply) => {
      const q = parseInput(articlesQuery, req.query);
      const accountId = q.account ? await deps.reads.accountIdOf(q.account) : undefined;
      if (accountId === null) throw new InvalidParameterError("account", `no synced account has app_id ${q.account}`);
      // SEARCH_INDEX off: the title substring filter the box had before search, and a note saying so
      const searching = searchIndexOn(deps.config);
      const box = searching
        ? html`<label>search titles and text<input name="q" value="${q.q ?? ""}" type="search" placeholder="公众号 &quot;a phrase&quot; -excluded"></label>`
        : html`<label>title contains<input name="q" value="${q.q ?? ""}" type="search"></label>`;
      const form = html`<form class="filters" method="get" action="/articles">${box}${appIds.length > 1 ? html`<label>account<select name="account"><option value="">any</option>${appIds.map((a) => html`<option${a === q.account ? html` selected` : ""}>${a}</option>`)}</select></label>` : ""}<button type="submit">Search</button></form>${searching ? "" : html`<p class="muted" id="search-off">Full-text search is off (SEARCH_INDEX): this box filters titles only.</p>`}`;
      if (q.q && searching) return render(req, reply, { title: `Search: ${q.q}`, nav: "articles" }, html`<h1>Articles</h1>${form}${await searchResults(q.q, q.account, q.cursor)}`);
      const title = searching ? undefined : q.q;
      const list = await deps.reads.listArticles({ accountId, q: title, limit: ARTICLES_PAGE, includeDeleted: false, after: q.cursor ? decodeCursor(q.cursor) : undefined });
      const fields = await displayFields(deps.reads, media, { urls: list.rows.map((a) => a.newsItems[0]?.thumbUrl) });
      const last = list.rows[list.rows.length - 1];
      return render(req, reply, { title: "Articles", nav: "articles" }, html`<h1>Articles</h1>
${form}
<div class="scroll"><table id="articles"><thead><tr><th></th><th>title</th><th>account</th><th>items</th><th>updated</th></tr></thead><tbody>
${list.rows.length ? list.rows.map((a) => {
  const first = a.newsItems.find((n) => !n.isDeleted) ?? a.newsItems[0];
  const thumb = fields.mirrorUrl(first?.thumbUrl);
  return html`<tr><td>${thumb ? html`<img class="thumb" src="${thumb}" alt="" width="48" height="32">` : ""}</td><td class="wrap"><a href="/articles/${encodeURIComponent(a.articleId)}">${first?.title || "(untitled)"}</a></td><td>${a.appId}</td><td>${a.newsItems.length}</td><td>${when(a.updateTime)}</td></tr>`;
}) : html`<tr><td colspan="5" class="muted">no articles${title ? " with that in the title" : ""}</td></tr>`}
</tbody></table></div>
<div class="pager">${q.cursor ? html`<a href="/articles${query({ q: title, account: q.account })}">first page</a>` : ""}${list.more && last ? html`<a href="/articles${query({ q: title, account: q.account, cursor: encodeCursor(last) })}">next →</a>` : ""}</div>`);
    });

    /** The read API's search (published news items, live ones) as a table with snippets. */
    const searchResults = async (text: string, account: string | undefined, cursor: string | undefined): Promise<Html> => {
      let found;
      try {
        found = await deps.reads.search({ q: text, appId: account, sources: ["published"], includeDeleted: false, limit: ARTICLES_PAGE, after: cursor ? decodeSearchCursor(cursor) : undefined });
      } catch (e) {
        if (e instanceof UnsearchableQueryError) return html`<p class="muted">Nothing to search for in that: ${e.message}.</p>`;
        throw e;
      }
      const last = found.rows[found.rows.length - 1];
      return html`<div class="scroll"><table id="articles" class="search"><thead><tr><th>title</th><th>match</th><th>account</th><th>updated</th></tr></thead><tbody>
${found.rows.length ? found.rows.map((h) => html`<tr><td class="wrap"><a href="/articles/${encodeURIComponent(h.itemKey)}">${h.title || "(untitled)"}</a>${h.idx > 0 ? html` <span class="muted">(item ${h.idx + 1})</span>` : ""}</td><td class="wrap snippet">${snippetHtml(h.snippet)}</td><td>${h.appId}</td><td>${when(h.updateTime)}</td></tr>`) : html`<tr><td colspan="4" class="muted">no live article contains that</td></tr>`}
</tbody></table></div>
<div class="pager">${cursor ? html`<a href="/articles${query({ q: text, account })}">first page</a>` : ""}${found.more && last ? html`<a href="/articles${query({ q: text, account, cursor: encodeSearchCursor(last) })}">next →</a>` : ""}</div>`;
    };

    pages.get("/articles/:id", async (req, reply) => {
      const id = (req.params as { id: string }).id;
      const a = await deps.reads.getArticle(id, { includeDeletedItems: true }); // the operator sees deleted content
      if (!a) return send(reply, page({ title: "Not found", csrf: reply.generateCsrf(), dashboard }, html`<div class="error">No article ${id}.</div>`), 404);
      return render(req, reply, { title: a.newsItems[0]?.title ?? id, nav: "articles" }, html`<h1>${a.newsItems.find((n) => !n.isDeleted)?.title ?? a.newsItems[0]?.title ?? "(untitled)"}</h1>
<p class="muted">${a.appId} · article ${a.articleId} · updated ${when(a.updateTime)}${a.isDeleted ? html` · <span class="failed">deleted</span>` : ""}</p>
${a.newsItems.map((n) => html`<section class="news-item"><h2>${n.idx + 1}. ${n.title}${n.isDeleted ? html` <span class="badge failed">deleted</span>` : ""}</h2>
<p class="muted">${n.author ? `by ${n.author} · ` : ""}${n.url ? html`<a href="${n.url}" rel="noreferrer noopener" target="_blank">original</a>` : ""}</p>
<iframe class="article" sandbox="" referrerpolicy="no-referrer" title="${n.title}" src="/articles/${encodeURIComponent(a.articleId)}/items/${n.idx}"></iframe></section>`)}`);
    });

    // The article's display HTML as its own document: sandboxed by the iframe attribute and
    // by its CSP (opened directly too), so its markup runs no script and reaches nothing
    // of the console's origin; only images (the mirror) and inline styles load.
    pages.get("/articles/:id/items/:idx", async (req, reply) => {
      const p = req.params as { id: string; idx: string };
      const a = await deps.reads.getArticle(p.id, { includeDeletedItems: true });
      const n = a?.newsItems.find((x) => String(x.idx) === p.idx);
      if (!a || !n) return send(reply, page({ title: "Not found" }, html`<div class="error">No news item ${p.idx} of article ${p.id}.</div>`), 404);
      const fields = await displayFields(deps.reads, media, { urls: [], contents: [n.content] });
      const imgSrc = ["'self'", "data:", media.publicBaseUrl ? new URL(media.publicBaseUrl).origin : ""].filter(Boolean).join(" ");
      return reply
        .header("content-type", "text/html; charset=utf-8")
        .header("content-security-policy", `sandbox; default-src 'none'; img-src ${imgSrc}; style-src 'unsafe-inline'; media-src 'self'; frame-ancestors 'self'`)
        .header("cache-control", "no-store")
        .header("referrer-policy", "no-referrer")
        .send(`<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><style>body{font:16px/1.6 system-ui,sans-serif;max-width:720px;margin:1rem auto;padding:0 1rem;color:#222}img{max-width:100%;height:auto}</style></head><body>${fields.contentHtml(n.content) ?? ""}</body></html>`);
    });

    // ---- actions (POST + CSRF; the outcome comes back as a flash message)
    pages.post("/actions/resync", { preHandler: pages.csrfProtection }, async (req, reply) => {
      const b = resyncBody.safeParse(req.body);
      if (!b.success) throw new InvalidParameterError("body", "account, source and mode are required");
      if (!appIds.includes(b.data.account)) throw new InvalidParameterError("account", "is not a configured account");
      if (!deps.queue) throw new Error("the job queue is not available in this process");
      const sources: Source[] = b.data.source ? [b.data.source] : [...SOURCES];
      const outcomes = [];
      // the same deduplicated path as `mpsync resync` and POST /admin/resync
      for (const source of sources) outcomes.push(await deps.queue.enqueue({ appId: b.data.account, source, mode: b.data.mode, trigger: "manual" }));
      req.log.info({ account: b.data.account, sources, mode: b.data.mode }, "console resync");
      const said = outcomes.map((o) => `${o.source}: ${o.outcome}`).join(", ");
      return back(req, reply, `/runs${query({ account: b.data.account, source: b.data.source || undefined })}`, `${b.data.mode} sync of ${b.data.account} asked for (${said}).`);
    });

    pages.post("/actions/media-retry", { preHandler: pages.csrfProtection }, async (req, reply) => {
      const account = (req.body as { account?: unknown } | undefined)?.account;
      if (account !== undefined && (typeof account !== "string" || !appIds.includes(account))) throw new InvalidParameterError("account", "is not a configured account");
      if (!deps.mediaRetry) throw new Error("media retry is not available in this process");
      const n = await deps.mediaRetry(account ? [account] : null);
      return back(req, reply, "/", `${n} failed media asset(s) are due again; a media pass to download them is queued.`);
    });

    pages.post("/actions/webhook-replay", { preHandler: pages.csrfProtection }, async (req, reply) => {
      const b = z.object({ url: z.string().min(1), after: int8String() }).safeParse(req.body);
      if (!b.success) throw new InvalidParameterError("body", "url and after are required");
      if (!deps.changeFeed) throw new Error("webhooks are not available in this process");
      try {
        // the page shows display URLs (no query string: it may hold a secret)
        const url = endpoints.find((e) => displayUrl(e.url) === b.data.url)?.url ?? b.data.url;
        const r = await replayWebhooks(deps.changeFeed, endpoints, { after: BigInt(b.data.after), url });
        return back(req, reply, "/", `${r.deliveries} delivery(ies) to ${b.data.url} after event ${b.data.after} queued again.`);
      } catch (e) {
        if (e instanceof NoSuchEndpointError) throw new InvalidParameterError("url", e.message);
        throw e;
      }
    });
  });
}
