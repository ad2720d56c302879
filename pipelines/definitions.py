"""The code location: one `Definitions` with assets (the stages, the warehouse and its report), checks, job, schedule, sensor and resources."""
from __future__ import annotations

import dagster as dg

from assets.clean import clean
from assets.date import date_stage
from assets.dedupe import articles, story_signatures
from assets.extract import extracted_mentions
from assets.load import warehouse
from assets.report import report
from assets.resolve import resolve
from assets.stage import stage
from pipelines.automation import corpus_automation, landing_sensor, process_batch_job, refresh_job, refresh_schedule
from pipelines.batches import ingest_batches
from pipelines.checks import suite_checks
from pipelines.resources import NewsEtlSettings, ParquetFrameIOManager

asset_checks = [
    *suite_checks("raw_files", "stage", ["path"], ingest_batches),
    *suite_checks("sections", "clean", ["article_id", "ordinal"], ingest_batches),
    *suite_checks("dated_articles", "date", ["article_id"], ingest_batches),
    *suite_checks("extracted_mentions", "extract", ["article_id", "section_ordinal", "start_char"], ingest_batches),
    *suite_checks("articles", "dedupe", ["article_id"]),
    *suite_checks("entities", "resolve", ["entity_id"]),
]

# Configured at launch, so run config for `news` reaches the IO manager too (its staging dir follows the warehouse).
news_settings = NewsEtlSettings.configure_at_launch()

defs = dg.Definitions(
    assets=[stage, clean, date_stage, story_signatures, articles, extracted_mentions, resolve, warehouse, report],
    asset_checks=asset_checks,
    jobs=[refresh_job, process_batch_job],
    schedules=[refresh_schedule],
    sensors=[landing_sensor, corpus_automation],
    # In-process for every run (the refresh job, backfills, automation runs): one import of spaCy and
    # GX per run rather than per step, and a single process touching DuckDB and the refresh lock.
    executor=dg.in_process_executor,
    resources={"news": news_settings, "io_manager": ParquetFrameIOManager(news=news_settings)},
)
