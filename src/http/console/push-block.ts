// The overview's message push line of one account: configured or not, where WeChat pushes,
// the last event, the last failed publish or processing error, the last refused push.
import type { PushStatus } from "../../status/push.ts";
import { html, type Html } from "./html.ts";
import { when } from "./layout.ts";

export function pushBlock(p: PushStatus | undefined): Html {
  if (!p) return html``;
  if (!p.configured) return html`<p class="push muted">Message push: not configured</p>`;
  return html`<p class="push">Message push (${p.accepts}) at <code>${p.endpoint}</code>: ${
    p.last_event_at ? html`last event ${p.last_event ?? ""} ${when(p.last_event_at)} (${p.events} in all)` : html`<span class="muted">no event yet</span>`
  }${p.last_error ? html` · <span class="failed">last error ${when(p.last_error_at)}: ${p.last_error}</span>` : ""}${
    p.last_rejected_reason ? html` · <span class="failed">last refused ${when(p.last_rejected_at)}: ${p.last_rejected_reason}</span>` : ""
  } · getarticle quota ${p.getarticle_quota.known ? `${p.getarticle_quota.used}/${p.getarticle_quota.limit} used` : html`<span class="muted">not read yet</span>`}</p>`;
}
