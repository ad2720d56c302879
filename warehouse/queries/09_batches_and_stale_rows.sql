-- Each ingest batch: when its files arrived, how many became articles, and which rules and model
-- made its rows. Batches listed in stale_batches were made by older rules or another model:
-- reprocess them with `python -m pipelines.cli run --reprocess stale`.
SELECT f.batch_id, min(f.ingested_at) AS ingested_at, count(DISTINCT f.file_id) AS files,
       count(DISTINCT a.article_id) AS articles,
       string_agg(DISTINCT a.rules_version, ', ') AS rules_versions,
       (SELECT count(*) FROM stale_batches s WHERE s.batch_id = f.batch_id) > 0 AS stale
FROM raw_files f LEFT JOIN articles a ON a.batch_id = f.batch_id AND a.file_id = f.file_id
GROUP BY f.batch_id
ORDER BY f.batch_id;
