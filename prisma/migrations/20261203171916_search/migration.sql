-- Search of synced news items (README "Search"), in stock Postgres whatever the database's
-- ctype: CJK text as overlapping character pairs, English words as stems, in a tsvector
-- column kept by the news item upsert (src/store/sql/upsert-news-items.ts) when SEARCH_INDEX
-- is on, and a GIN index.
-- Everything is SQL so that the API, this migration and people's own queries
-- (mpsync_search) share one implementation.

-- Chinese text needs a UTF8 database (`mpsync migrate` checks this first, with the same words).
DO $check$
BEGIN
  IF current_setting('server_encoding') <> 'UTF8' THEN
    RAISE EXCEPTION 'mpsync needs a UTF8 database for Chinese text and its search: database "%" has encoding %', current_database(), current_setting('server_encoding')
      USING HINT = 'create the database with ENCODING ''UTF8'' (any LC_CTYPE works, C included) and migrate again';
  END IF;
END
$check$;

-- Numeric character references (&#20013; &#x4e2d;), decoded one distinct reference at a time.
CREATE OR REPLACE FUNCTION mpsync_search_entities(t text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
  m text[];
  cp bigint;
BEGIN
  FOR m IN SELECT DISTINCT r FROM regexp_matches(t, '&#([xX][0-9A-Fa-f]{1,6}|[0-9]{1,7});', 'g') AS r LOOP
    cp := CASE WHEN m[1] ~ '^[xX]' THEN ('x' || lpad(substr(m[1], 2), 8, '0'))::bit(32)::bigint ELSE m[1]::bigint END;
    t := replace(t, '&#' || m[1] || ';', CASE WHEN cp BETWEEN 1 AND 1114111 AND cp NOT BETWEEN 55296 AND 57343 THEN chr(cp::int) ELSE ' ' END);
  END LOOP;
  RETURN t;
END
$fn$;

-- The text of an HTML body as a reader sees it: comments and script, style, noscript,
-- template, textarea and title elements dropped, the usual block elements (and img, br)
-- separate words, other tags do not (公<span>众号</span> reads 公众号), entities decoded,
-- white space collapsed. Groups do not capture and tag names end in a consumed character,
-- not \M: Postgres's regex engine took milliseconds per body on captures and lookaheads.
CREATE OR REPLACE FUNCTION mpsync_search_text(html text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT CASE WHEN strpos(s.t, '&#') > 0 THEN mpsync_search_entities(s.t) ELSE s.t END FROM (SELECT btrim(regexp_replace(
    replace(replace(replace(replace(replace(replace(replace(
      regexp_replace(
        regexp_replace(
          regexp_replace(
            regexp_replace(coalesce(html, ''), '<!--(?:[^-]|-(?!->))*(?:-->|$)', ' ', 'g'),
            '<script(?:[ \t\n\r\f/][^>]*)?>(?:[^<]|<(?!/script))*(?:</script[^>]*>|$)|<style(?:[ \t\n\r\f/][^>]*)?>(?:[^<]|<(?!/style))*(?:</style[^>]*>|$)|<noscript(?:[ \t\n\r\f/][^>]*)?>(?:[^<]|<(?!/noscript))*(?:</noscript[^>]*>|$)|<template(?:[ \t\n\r\f/][^>]*)?>(?:[^<]|<(?!/template))*(?:</template[^>]*>|$)|<textarea(?:[ \t\n\r\f/][^>]*)?>(?:[^<]|<(?!/textarea))*(?:</textarea[^>]*>|$)|<title(?:[ \t\n\r\f/][^>]*)?>(?:[^<]|<(?!/title))*(?:</title[^>]*>|$)', ' ', 'gi'),
          '</?(?:p|div|section|br|img|li|h[1-6]|tr|td|th|blockquote|hr|table|ul|ol|figure|pre|video)(?:[ \t\n\r\f/](?:"[^"]*"|''[^'']*''|[^''">])*)?>', ' ', 'gi'),
        '<[A-Za-z/!?](?:"[^"]*"|''[^'']*''|[^''">])*>', '', 'g'),
      '&nbsp;', ' '), '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&#39;', ''''), '&apos;', ''''), '&amp;', '&'),
    '\s+', ' ', 'g')) AS t) AS s
$fn$;

-- Searchable runs, space separated: CJK runs (kana, hangul and ideographs included) and
-- Latin/number words; anything else (punctuation, symbols) separates. Fullwidth letters
-- and digits count as ASCII.
CREATE OR REPLACE FUNCTION mpsync_search_normalize(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT regexp_replace(
    regexp_replace(
      translate(coalesce(t, ''),
        '０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ',
        '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'),
      '[^0-9A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f]+', ' ', 'g'),
    '([\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f]+)', ' \1 ', 'g')
$fn$;

-- The token stream of normalized text: each CJK character becomes the pair it starts (the
-- last of a run stays single), so every character has exactly one token at its own position.
CREATE OR REPLACE FUNCTION mpsync_search_tokens(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT regexp_replace(
    regexp_replace(
      regexp_replace(mpsync_search_normalize(t), '([\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f])', '\1\1', 'g'),
      ' [\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f]', ' ', 'g'),
    '([\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f]{2})', '\1 ', 'g')
$fn$;

-- The search document of three token streams (mpsync_search_tokens): English stems and
-- numbers by the 'english' configuration, CJK pairs as they are; title weight A, digest B,
-- body D. The news item upsert sends streams made in the sync process (src/store/search/tokens.ts).
CREATE OR REPLACE FUNCTION mpsync_search_vector(title_tokens text, digest_tokens text, body_tokens text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT setweight(to_tsvector('english'::regconfig, coalesce(title_tokens, '')), 'A')
      || setweight(to_tsvector('english'::regconfig, coalesce(digest_tokens, '')), 'B')
      || setweight(to_tsvector('english'::regconfig, coalesce(body_tokens, '')), 'D')
$fn$;

-- The search document of a news item: at most 1,000 characters of title and of digest and
-- 14,000 of body text, so that positions stay under the tsvector's limit of 16,383. mpsync
-- itself indexes with the same rules in TypeScript (src/store/search/tokens.ts, tested to give
-- equal vectors); this stays for people's own SQL (a row they insert themselves) and for the
-- ctype check at the end of this migration.
CREATE OR REPLACE FUNCTION mpsync_search_document(title text, digest text, content text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT mpsync_search_vector(mpsync_search_tokens(left(title, 1000)), mpsync_search_tokens(left(digest, 1000)),
                              mpsync_search_tokens(left(mpsync_search_text(content), 14000)))
$fn$;

-- One term of a query (a word or a quoted phrase) as tsquery text: its tokens in order with
-- the distances they have in documents; NULL when nothing in it is searchable.
CREATE OR REPLACE FUNCTION mpsync_search_phrase(term text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
  run text;
  lexeme text;
  parts text := NULL;
  pos int := 0;
  prev int := 0;
  n int;
  i int;
BEGIN
  FOR run IN SELECT r[1] FROM regexp_matches(mpsync_search_normalize(term), '[^ ]+', 'g') AS r LOOP
    IF run ~ '^[\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f]' THEN
      n := length(run);
      IF n = 1 THEN
        -- a lone character is the first of any pair it starts, or a run's last one
        pos := pos + 1;
        parts := coalesce(parts || ' <' || (pos - prev) || '> ', '') || '''' || run || ''':*';
        prev := pos;
      ELSE
        FOR i IN 1 .. n - 1 LOOP
          pos := pos + 1;
          parts := coalesce(parts || ' <' || (pos - prev) || '> ', '') || '''' || substr(run, i, 2) || '''';
          prev := pos;
        END LOOP;
        pos := pos + 1; -- the run's last character: its pair already said it
      END IF;
    ELSE
      pos := pos + 1;
      -- the documents' dictionaries: English stems, numbers as they are, stop words dropped
      SELECT min(u.lexeme) INTO lexeme FROM unnest(to_tsvector('english'::regconfig, run)) AS u;
      IF lexeme IS NOT NULL THEN
        parts := coalesce(parts || ' <' || (pos - prev) || '> ', '') || '''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || '''';
        prev := pos;
      END IF;
    END IF;
  END LOOP;
  RETURN parts;
END
$fn$;

-- The terms of a query: words and "quoted phrases", each excluded when it starts with a minus.
CREATE OR REPLACE FUNCTION mpsync_search_terms(q text) RETURNS TABLE (excluded boolean, term text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT coalesce(r[1], r[3]) = '-', coalesce(r[2], r[4])
    FROM regexp_matches(coalesce(q, ''), '(-?)"([^"]*)"?|(-?)([^\s"]+)', 'g') AS r
$fn$;

-- A search query as tsquery: words and "quoted phrases" all required, -word and -"phrase"
-- excluded; NULL when no required term is searchable.
CREATE OR REPLACE FUNCTION mpsync_search_query(q text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT (string_agg('(' || p.phrase || ')', ' & ') FILTER (WHERE NOT t.excluded)
          || coalesce(string_agg(' & !(' || p.phrase || ')', '') FILTER (WHERE t.excluded), ''))::tsquery
    FROM mpsync_search_terms(q) AS t, LATERAL (SELECT mpsync_search_phrase(t.term) AS phrase) AS p
   WHERE p.phrase IS NOT NULL
$fn$;

-- HTML-escaped text with the matches of q's required terms in <mark></mark>: a window of
-- about max_chars characters around the first match in the first of texts that has one
-- (else the start of the first non-empty one). CJK runs of the query are marked where they
-- occur literally, English words where their stem is a query stem.
CREATE OR REPLACE FUNCTION mpsync_search_snippet(q text, texts text[], max_chars integer DEFAULT 120) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
  cjk constant text := '\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f';
  latin constant text := '0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f';
  runs text[] := '{}';
  stems text[] := '{}';
  run text;
  stem text;
  body text := NULL;
  anchor int := 0;
  first int;
  p int;
  k int;
  word text;
  tries int;
  w text;
  piece text[];
  marked boolean[];
  out text := '';
  i int;
  open boolean;
  esc text;
BEGIN
  FOR run IN
    SELECT r[1] FROM mpsync_search_terms(q) AS t, regexp_matches(mpsync_search_normalize(t.term), '[^ ]+', 'g') AS r WHERE NOT t.excluded
  LOOP
    IF run ~ ('^[' || cjk || ']') THEN
      runs := runs || run;
    ELSE
      SELECT min(u.lexeme) INTO stem FROM unnest(to_tsvector('english'::regconfig, run)) AS u;
      IF stem IS NOT NULL THEN stems := stems || stem; END IF;
    END IF;
  END LOOP;

  FOR i IN 1 .. coalesce(array_length(texts, 1), 0) LOOP
    CONTINUE WHEN coalesce(texts[i], '') = '';
    body := coalesce(body, texts[i]);
    FOREACH run IN ARRAY runs LOOP
      p := strpos(texts[i], run);
      IF p > 0 AND (anchor = 0 OR p < anchor) THEN anchor := p; END IF;
    END LOOP;
    FOREACH stem IN ARRAY stems LOOP
      -- words that can stem to it start with it, but for its last letter (happy: happi)
      p := 1;
      tries := 0;
      LOOP
        k := regexp_instr(texts[i], '(?<![' || latin || '])' || regexp_replace(left(stem, greatest(length(stem) - 1, 1)), '([^0-9A-Za-z])', '\\\1', 'g'), p, 1, 0, 'i');
        EXIT WHEN k = 0 OR (anchor > 0 AND k >= anchor) OR tries >= 50;
        word := substring(texts[i] FROM k FOR 60);
        word := substring(word FROM '^[' || latin || ']+');
        IF EXISTS (SELECT 1 FROM unnest(to_tsvector('english'::regconfig, mpsync_search_normalize(word))) AS u WHERE u.lexeme = stem) THEN
          anchor := k;
          EXIT;
        END IF;
        p := k + 1;
        tries := tries + 1;
      END LOOP;
    END LOOP;
    IF anchor > 0 THEN
      body := texts[i];
      EXIT;
    END IF;
  END LOOP;
  IF body IS NULL THEN RETURN ''; END IF;

  first := greatest(1, anchor - max_chars / 4);
  w := substring(body FROM first FOR max_chars);
  -- a word cut at the window's start is dropped
  IF first > 1 AND substring(body FROM first - 1 FOR 1) ~ ('[' || latin || ']') THEN
    w := regexp_replace(w, '^[' || latin || ']+', '');
  END IF;
  IF first > 1 THEN out := '…'; END IF;
  FOR piece IN SELECT r FROM regexp_matches(w, '([' || cjk || ']+)|([' || latin || ']+)|([^' || cjk || latin || ']+)', 'g') AS r LOOP
    esc := replace(replace(replace(replace(replace(coalesce(piece[1], piece[2], piece[3]), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;');
    IF piece[1] IS NOT NULL THEN
      marked := array_fill(false, ARRAY[length(piece[1])]);
      FOREACH run IN ARRAY runs LOOP
        k := 0;
        LOOP
          p := strpos(substr(piece[1], k + 1), run);
          EXIT WHEN p = 0;
          FOR i IN k + p .. k + p + length(run) - 1 LOOP marked[i] := true; END LOOP;
          k := k + p;
        END LOOP;
      END LOOP;
      open := false;
      FOR i IN 1 .. length(piece[1]) LOOP
        IF marked[i] AND NOT open THEN out := out || '<mark>'; open := true; END IF;
        IF NOT marked[i] AND open THEN out := out || '</mark>'; open := false; END IF;
        out := out || substr(piece[1], i, 1);
      END LOOP;
      IF open THEN out := out || '</mark>'; END IF;
    ELSIF piece[2] IS NOT NULL AND EXISTS (
      SELECT 1 FROM unnest(to_tsvector('english'::regconfig, mpsync_search_normalize(piece[2]))) AS u WHERE u.lexeme = ANY (stems)
    ) THEN
      out := out || '<mark>' || esc || '</mark>';
    ELSE
      out := out || esc;
    END IF;
  END LOOP;
  IF first + max_chars <= length(body) THEN out := out || '…'; END IF;
  RETURN out;
END
$fn$;

-- AlterTable
ALTER TABLE "material_news_items" ADD COLUMN     "search" tsvector,
ADD COLUMN     "search_head" tsvector;

-- AlterTable
ALTER TABLE "published_news_items" ADD COLUMN     "search" tsvector,
ADD COLUMN     "search_head" tsvector;

-- Existing rows are not indexed here: search is opt-in (SEARCH_INDEX), and indexing every
-- row took minutes on 100,000 items, which every upgrade would have paid. With SEARCH_INDEX
-- on, `mpsync search reindex` and the worker at start index rows whose search is NULL in
-- batches (src/store/search/backfill.ts), with the sync's tokenizer. A GIN index of NULLs is
-- built at once.

-- CreateIndex
CREATE INDEX "material_news_items_search_idx" ON "material_news_items" USING GIN ("search");

-- CreateIndex
CREATE INDEX "published_news_items_search_idx" ON "published_news_items" USING GIN ("search");

-- The search of the read API (GET /v1/search), for SQL, Prisma and BI tools: news items
-- matching q, best first (rank DESC, source, id DESC); pass the last row's rank, source and
-- id as after_* for the next page. README "Search" documents it. The rank is ts_rank_cd of
-- the title and digest (search_head): small vectors stored in the row, where ranking the
-- whole documents read ~12 KB of TOAST per match (over a second for a common word on
-- 100,000 items); items matching by their body alone rank 0, newest first.
CREATE OR REPLACE FUNCTION mpsync_search(
  q text,
  account text DEFAULT NULL,
  sources text[] DEFAULT ARRAY['published'],
  include_deleted boolean DEFAULT false,
  max_rows integer DEFAULT 20,
  after_rank real DEFAULT NULL,
  after_source text DEFAULT NULL,
  after_id bigint DEFAULT NULL
) RETURNS TABLE (
  source text, id bigint, app_id text, item_key text, idx integer, title text, digest text, url text,
  snippet text, rank real, create_time timestamptz, update_time timestamptz, is_deleted boolean
)
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
  WITH query AS (
    SELECT mpsync_search_query(q) AS tsq,
           (SELECT a.id FROM accounts a WHERE a.app_id = account) AS account_id
  ), hits AS (
    SELECT 'published'::text AS source, n.id, n.account_id, n.article_id AS item_key, n.idx, n.title, n.digest, n.url,
           ts_rank_cd(n.search_head, query.tsq) AS rank, o.create_time, o.update_time, n.is_deleted OR o.is_deleted AS is_deleted
      FROM query, published_news_items n
      JOIN published_articles o ON o.account_id = n.account_id AND o.article_id = n.article_id
     WHERE 'published' = ANY (sources) AND n.search @@ query.tsq
       AND (account IS NULL OR n.account_id = query.account_id)
       AND (include_deleted OR NOT (n.is_deleted OR o.is_deleted))
    UNION ALL
    SELECT 'material'::text, n.id, n.account_id, n.media_id, n.idx, n.title, n.digest, n.url,
           ts_rank_cd(n.search_head, query.tsq), o.create_time, o.update_time, n.is_deleted OR o.is_deleted
      FROM query, material_news_items n
      JOIN materials o ON o.account_id = n.account_id AND o.media_id = n.media_id
     WHERE 'material' = ANY (sources) AND n.search @@ query.tsq
       AND (account IS NULL OR n.account_id = query.account_id)
       AND (include_deleted OR NOT (n.is_deleted OR o.is_deleted))
  ), page AS (
    SELECT * FROM hits h
     WHERE after_rank IS NULL
        OR h.rank < after_rank
        OR (h.rank = after_rank AND (h.source > after_source OR (h.source = after_source AND h.id < after_id)))
     ORDER BY h.rank DESC, h.source, h.id DESC
     LIMIT max_rows
  )
  SELECT p.source, p.id, a.app_id, p.item_key, p.idx, p.title, p.digest, p.url,
         mpsync_search_snippet(q, ARRAY[mpsync_search_text(CASE p.source
           WHEN 'published' THEN (SELECT c.content FROM published_news_items c WHERE c.id = p.id)
           ELSE (SELECT c.content FROM material_news_items c WHERE c.id = p.id) END), p.digest, p.title]),
         p.rank, p.create_time, p.update_time, p.is_deleted
    FROM page p JOIN accounts a ON a.id = p.account_id
   ORDER BY p.rank DESC, p.source, p.id DESC
$fn$;

-- The ctype's parser must keep a CJK pair one word (every libc UTF-8 ctype and C do).
DO $check$
BEGIN
  IF mpsync_search_document('公众号 Running', NULL, NULL) <> '''公众'':1A ''众号'':2A ''号'':3A ''run'':4A'::tsvector THEN
    RAISE EXCEPTION 'mpsync search cannot split Chinese text in database "%" (LC_CTYPE %): got %', current_database(),
      (SELECT datctype FROM pg_database WHERE datname = current_database()), mpsync_search_document('公众号 Running', NULL, NULL);
  END IF;
END
$check$;
