-- Views for the questions users ask. Re-created on every load.

-- Which entities appear together: one row per unordered pair, with the articles they share.
CREATE OR REPLACE VIEW entity_cooccurrence AS
WITH pairs AS (
    SELECT DISTINCT a.article_id, a.entity_id AS entity_a, b.entity_id AS entity_b
    FROM mentions a JOIN mentions b ON a.article_id = b.article_id AND a.entity_id < b.entity_id
)
SELECT p.entity_a, ea.canonical_name AS name_a, ea.label AS label_a,
       p.entity_b, eb.canonical_name AS name_b, eb.label AS label_b,
       count(*) AS article_count
FROM pairs p JOIN entities ea ON ea.entity_id = p.entity_a JOIN entities eb ON eb.entity_id = p.entity_b
GROUP BY ALL;

-- How often each entity is mentioned per month of publication (undated articles are left out).
CREATE OR REPLACE VIEW entity_timeline AS
SELECT e.entity_id, e.canonical_name, e.label,
       date_trunc('month', a.published_date)::DATE AS month,
       count(*) AS mention_count, count(DISTINCT m.article_id) AS article_count
FROM mentions m JOIN entities e USING (entity_id) JOIN articles a USING (article_id)
WHERE a.published_date IS NOT NULL
GROUP BY ALL;

-- Each story and its reports.
CREATE OR REPLACE VIEW story_overview AS
SELECT story_id, count(*) AS article_count,
       min(published_date) AS first_published, max(published_date) AS last_published,
       list(DISTINCT publisher) FILTER (WHERE publisher IS NOT NULL) AS publishers,
       list(file_name ORDER BY file_name) AS files,
       any_value(title) FILTER (WHERE title IS NOT NULL) AS a_title
FROM articles GROUP BY story_id;

-- What was rejected and why.
CREATE OR REPLACE VIEW rejections_summary AS
SELECT stage, reason, count(*) AS rejected, count(DISTINCT file_id) AS files,
       any_value(detail) AS example_detail
FROM rejections GROUP BY stage, reason;

-- Sections by kind, for a quick look at what cleaning kept and dropped.
CREATE OR REPLACE VIEW section_kinds AS
SELECT kind, count(*) AS sections, count(DISTINCT article_id) AS articles, sum(length(text)) AS characters
FROM sections GROUP BY kind;

-- Batches holding rows made by other rules or another model than the code that last loaded the
-- warehouse: reprocess them with `news-etl run --reprocess stale` (or a backfill in the UI).
CREATE OR REPLACE VIEW stale_batches AS
WITH current_version AS (SELECT component, version FROM pipeline_versions),
row_versions AS (
    SELECT batch_id, 'articles' AS table_name, 'rules' AS component, rules_version AS version FROM articles
    UNION ALL
    SELECT a.batch_id, 'mentions', 'model', m.model_version FROM mentions m JOIN articles a USING (article_id)
    UNION ALL
    SELECT f.batch_id, 'rejections', 'rules', r.rules_version
    FROM rejections r JOIN (SELECT file_id, min(batch_id) AS batch_id FROM raw_files GROUP BY file_id) f USING (file_id)
)
SELECT r.batch_id, r.table_name, r.component, r.version AS row_version, c.version AS current_version, count(*) AS rows
FROM row_versions r JOIN current_version c USING (component)
WHERE r.version IS DISTINCT FROM c.version
GROUP BY ALL
ORDER BY r.batch_id, r.table_name;
