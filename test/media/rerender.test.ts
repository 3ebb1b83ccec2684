// Rows rendered before the display HTML changed (an older DISPLAY_HTML_VERSION, e.g. before
// the sanitizer) are rendered again by the next media pass: SQL users of content_html get
// the safe HTML without a resync, and the original content is left byte-for-byte.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { loadMediaConfig } from "../../src/config/media.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createMediaService } from "../../src/media/service.ts";
import { createTestDatabase } from "../helpers/db.ts";

const db = await createTestDatabase();
const dir = mkdtempSync(join(tmpdir(), "mpsync-rerender-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONTENT = `<p>hello <img src=x onerror="alert(1)"><a href="javascript:alert(2)">link</a></p><script>alert(3)</script>`;

it("a row whose content_html an older renderer made is rendered again, sanitized", async () => {
  await db.sql.query(`INSERT INTO accounts (app_id) VALUES ('wxrerender0000001')`);
  await db.sql.query(`INSERT INTO published_articles (account_id, article_id, update_time, last_seen_at) VALUES (1, 'a1', now(), now())`);
  // as the previous release left it: rendered (key "<hash>|<public base>"), unsafe HTML in content_html
  await db.sql.query(
    `INSERT INTO published_news_items (account_id, article_id, idx, title, content, content_hash, media_scan_hash, media_render_key, content_html)
     VALUES (1, 'a1', 0, 't', $1, 'h1', 'h1', 'h1|', $1)`,
    [CONTENT],
  );
  const media = createMediaService({ config: { media: { ...loadMediaConfig({ MEDIA_STORE_URL: `file:${dir}` }, []) } }, prisma: db.prisma, logger: createLogger("silent") });
  try {
    const r = await media.mirror.pass();
    expect(r.rendered).toBe(1);
  } finally {
    await media.close();
  }
  const { rows } = await db.sql.query(`SELECT content, content_html FROM published_news_items`);
  expect(rows[0].content).toBe(CONTENT);
  expect(rows[0].content_html).toBe(`<p>hello <img src="x" loading="lazy" /><a rel="noopener noreferrer nofollow">link</a></p>`);
});
