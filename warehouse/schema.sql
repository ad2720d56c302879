-- Tables of the SQL contract. Columns may be added; none renamed without a migration.
CREATE TABLE IF NOT EXISTS raw_files (
    file_id      VARCHAR NOT NULL,   -- sha256 of the bytes
    file_name    VARCHAR NOT NULL,
    path         VARCHAR NOT NULL,   -- relative to the landing dir
    format       VARCHAR NOT NULL,   -- txt | html | jsonl | other
    size_bytes   BIGINT,
    batch_id     VARCHAR NOT NULL,   -- the ingest batch that first staged this file
    ingested_at  TIMESTAMPTZ NOT NULL,
    status       VARCHAR NOT NULL,   -- accepted | rejected (see rejections)
    content      BLOB,               -- the raw bytes; NULL only for files over the size limit
    PRIMARY KEY (path, file_id)
);
CREATE TABLE IF NOT EXISTS sections (
    file_id VARCHAR NOT NULL, article_id VARCHAR NOT NULL, ordinal INTEGER NOT NULL,
    kind VARCHAR NOT NULL, rule VARCHAR, text VARCHAR NOT NULL,
    promo_score DOUBLE, offtopic_score DOUBLE, position_score DOUBLE, header_score DOUBLE,
    rule_score DOUBLE,    -- the hand rules' score; spam_score is the learned model's probability over it (assets/spam_model.py)
    spam_score DOUBLE,
    rules_version VARCHAR,
    PRIMARY KEY (article_id, ordinal)
);
CREATE TABLE IF NOT EXISTS articles (
    article_id VARCHAR PRIMARY KEY, file_id VARCHAR NOT NULL, file_name VARCHAR, format VARCHAR,
    title VARCHAR, publisher VARCHAR, source_url VARCHAR, dateline VARCHAR,
    declared_date DATE, published_date DATE, date_source VARCHAR, date_status VARCHAR NOT NULL,
    date_precision VARCHAR, date_evidence JSON,
    story_id VARCHAR NOT NULL, body VARCHAR NOT NULL, word_count INTEGER,
    batch_id VARCHAR, rules_version VARCHAR   -- the ingest batch that staged it; the rules that shaped it
);
CREATE TABLE IF NOT EXISTS rejections (
    file_id VARCHAR NOT NULL, article_id VARCHAR, section_ordinal INTEGER,
    stage VARCHAR NOT NULL, reason VARCHAR NOT NULL, detail VARCHAR, rejected_at TIMESTAMPTZ NOT NULL,
    rules_version VARCHAR
);
CREATE TABLE IF NOT EXISTS mentions (
    article_id VARCHAR NOT NULL, section_ordinal INTEGER NOT NULL, start_char INTEGER NOT NULL, end_char INTEGER NOT NULL,
    text VARCHAR NOT NULL, label VARCHAR NOT NULL, entity_id VARCHAR NOT NULL,
    model_version VARCHAR   -- spaCy model and version + the extract code that found it
);
CREATE TABLE IF NOT EXISTS entities (
    entity_id VARCHAR PRIMARY KEY, canonical_name VARCHAR NOT NULL, label VARCHAR NOT NULL,
    mention_count BIGINT NOT NULL, article_count BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS entity_aliases (
    entity_id VARCHAR NOT NULL, alias VARCHAR NOT NULL, PRIMARY KEY (entity_id, alias)
);
-- The rules and model versions of the code that last loaded the warehouse (see the stale_batches view).
CREATE TABLE IF NOT EXISTS pipeline_versions (component VARCHAR PRIMARY KEY, version VARCHAR NOT NULL);

-- Upgrades of warehouses created before row versions were recorded.
ALTER TABLE sections ADD COLUMN IF NOT EXISTS rules_version VARCHAR;
ALTER TABLE articles ADD COLUMN IF NOT EXISTS batch_id VARCHAR;
ALTER TABLE articles ADD COLUMN IF NOT EXISTS rules_version VARCHAR;
ALTER TABLE rejections ADD COLUMN IF NOT EXISTS rules_version VARCHAR;
ALTER TABLE mentions ADD COLUMN IF NOT EXISTS model_version VARCHAR;
