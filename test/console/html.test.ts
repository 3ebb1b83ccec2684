// The console's templates escape every value: content from WeChat or the database never
// becomes markup; only Html built by the tag passes through.
import { describe, expect, it } from "vitest";
import { html, query } from "../../src/http/console/html.ts";
import { adviceFor } from "../../src/http/console/advice.ts";

describe("console templates", () => {
  it("escape interpolated text, attributes and arrays, and keep nested templates", () => {
    const title = `<script>alert("x")</script>&'`;
    const out = html`<a title="${title}">${title}</a>${[title, html`<b>${title}</b>`]}`.text;
    expect(out).not.toContain("<script>");
    expect(out).toBe(
      `<a title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</a>` +
        `&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;<b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</b>`,
    );
    expect(html`${null}${undefined}${false}${0}`.text).toBe("0");
  });

  it("query strings keep only the filters that are set", () => {
    expect(query({ account: "wx1", source: undefined, status: "" })).toBe("?account=wx1");
    expect(query({})).toBe("");
  });

  it("advice names what to do for the errcodes an operator must act on", () => {
    expect(adviceFor(40164, "x")).toMatch(/whitelist/);
    expect(adviceFor(45009, "x")).toMatch(/quota/);
    expect(adviceFor(99999, "x")).toMatch(/errcode 99999/);
    expect(adviceFor(null, "socket hang up")).toMatch(/Not a WeChat error/);
    expect(adviceFor(null, null)).toBeNull();
  });
});
