// Display-ready HTML and URL extraction on WeChat-shaped bodies, with a real parser.
import { describe, expect, it } from "vitest";
import { renderDisplayHtml } from "../../src/media/display-html.ts";
import { extractMediaUrls } from "../../src/media/extract.ts";
import { createHostMatcher } from "../../src/media/urls.ts";
import { loadMediaConfig } from "../../src/config/media.ts";

const BODY =
  `<section style="visibility: hidden; margin: 0 8px"><p style="opacity: 0;line-height:1.75em">你好 &amp; 再见</p>` +
  `<img class="rich_pages wxw-img" data-src="http://mmbiz.qpic.cn/a/640?wx_fmt=jpeg&amp;from=appmsg" src="data:image/gif;base64,R0lGOD" data-ratio="0.75">` +
  `<section style="background-image: url(&quot;http://mmbiz.qpic.cn/b/640?wx_fmt=png&quot;); opacity: 0.5"></section>` +
  `<img src="//mmbiz.qlogo.cn/c/0"><img><script>document.write("x")</script>` +
  `<iframe class="video_iframe" data-src="https://v.qq.com/iframe/preview.html?vid=x"></iframe></section>`;

describe("extractMediaUrls", () => {
  it("finds img data-src and src and CSS url(), entity-decoded, protocol-relative made https", () => {
    expect(extractMediaUrls(BODY)).toEqual([
      "http://mmbiz.qpic.cn/a/640?wx_fmt=jpeg&from=appmsg",
      "http://mmbiz.qpic.cn/b/640?wx_fmt=png",
      "https://mmbiz.qlogo.cn/c/0",
    ]);
    expect(extractMediaUrls(`<style>.x{background:url('http://mmbiz.qpic.cn/s/0')}</style>`)).toEqual(["http://mmbiz.qpic.cn/s/0"]);
  });

  it("host matching: a bare host matches any port, host:port only that port", () => {
    const m = createHostMatcher(["mmbiz.qpic.cn", "127.0.0.1:8089"]);
    expect(m("http://mmbiz.qpic.cn/x")).toBe(true);
    expect(m("https://MMBIZ.qpic.cn:8443/x")).toBe(true);
    expect(m("http://127.0.0.1:8089/x")).toBe(true);
    expect(m("http://127.0.0.1:8090/x")).toBe(false);
    expect(m("http://evil.example/mmbiz.qpic.cn")).toBe(false);
  });
});

describe("renderDisplayHtml", () => {
  const mirrors: Record<string, string> = { "http://mmbiz.qpic.cn/a/640?wx_fmt=jpeg&from=appmsg": "/media/aa/a.jpg", "http://mmbiz.qpic.cn/b/640?wx_fmt=png": "/media/bb/b.png" };
  const html = renderDisplayHtml(BODY, (u) => mirrors[u] ?? null)!;

  it("points images and CSS backgrounds at their mirrors, keeps the rest original with no-referrer", () => {
    expect(html).toContain(`<img class="rich_pages wxw-img" src="/media/aa/a.jpg" data-ratio="0.75" loading="lazy" />`);
    expect(html).toContain(`background-image:url(/media/bb/b.png)`);
    expect(html).toContain(`<img src="https://mmbiz.qlogo.cn/c/0" referrerpolicy="no-referrer" loading="lazy" />`);
    expect(html).toContain(`<img src="" loading="lazy" />`);
    expect(html).not.toContain("data-src=\"http");
  });

  it("removes hide-until-script styles and scripts, normalises lazy iframes, keeps text and other styles", () => {
    expect(html).not.toMatch(/visibility|opacity:0(?!\.)|opacity: 0(?!\.)/);
    expect(html).toContain("opacity:0.5");
    expect(html).toContain(`<section style="margin:0 8px">`);
    expect(html).not.toContain("<script");
    expect(html).toContain(`<iframe class="video_iframe" src="https://v.qq.com/iframe/preview.html?vid=x" sandbox="allow-scripts allow-same-origin allow-popups allow-presentation"></iframe>`);
    expect(html).toContain("你好 &amp; 再见");
  });

  it("leaves its input alone and maps null to null", () => {
    const before = String(BODY);
    renderDisplayHtml(BODY, () => null);
    expect(BODY).toBe(before);
    expect(renderDisplayHtml(null, () => null)).toBeNull();
  });
});

describe("MEDIA_* settings", () => {
  it("defaults, S3 and file locations, and one problem per bad setting", () => {
    const ok: string[] = [];
    const d = loadMediaConfig({}, ok);
    expect(ok).toEqual([]);
    expect(d).toMatchObject({ enabled: true, store: { kind: "file" }, sourceHosts: ["mmbiz.qpic.cn", "mmbiz.qlogo.cn"], publicBaseUrl: undefined, concurrency: 8 });
    expect(loadMediaConfig({ MEDIA_STORE_URL: "s3://my-bucket/wx/media/", MEDIA_PUBLIC_BASE_URL: "https://cdn.example.com/m/" }, ok)).toMatchObject({
      store: { kind: "s3", bucket: "my-bucket", prefix: "wx/media" },
      publicBaseUrl: "https://cdn.example.com/m",
    });
    const problems: string[] = [];
    loadMediaConfig({ MEDIA_STORE_URL: "ftp://x", MEDIA_SOURCE_HOSTS: "ok.host, bad host", MEDIA_PUBLIC_BASE_URL: "cdn", MEDIA_CONCURRENCY: "0", MEDIA_MIRROR: "maybe" }, problems);
    expect(problems).toEqual([
      'MEDIA_STORE_URL must be file:<path> or s3://bucket/prefix (got "ftp://x")',
      'MEDIA_SOURCE_HOSTS: "bad host" is not a host[:port]',
      'MEDIA_PUBLIC_BASE_URL must be an http(s) URL (got "cdn")',
      'MEDIA_MIRROR must be true or false (got "maybe")',
      'MEDIA_CONCURRENCY must be an integer from 1 to 128 (got "0")',
    ]);
  });
});
