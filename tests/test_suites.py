"""The table-level suites catch what they are written for, reading only the columns they name."""
import polars as pl
import pytest
from expectations.runner import validate

COLUMNS = ["article_id", "file_id", "file_name", "title", "publisher", "source_url", "dateline", "declared_date",
           "published_date", "date_source", "date_status", "story_id", "body", "word_count"]


def _articles(n: int, words: int = 250) -> pl.DataFrame:
    return pl.DataFrame({c: [f"{c}-{i}" for i in range(n)] for c in COLUMNS[:-1]}).with_columns(
        word_count=pl.lit(words), body=pl.lit("A paragraph of the report. " * (words // 5)))


def test_a_clean_table_passes_both_checks():
    assert validate(_articles(30), "dedupe", "table", ["article_id"], blocking=True).success
    assert validate(_articles(30), "dedupe", "table", ["article_id"], blocking=False).success


def test_structure_fails_on_a_duplicate_id_and_a_missing_column_naming_both():
    frame = pl.concat([_articles(5), _articles(1)]).drop("publisher")
    outcome = validate(frame, "dedupe", "table", ["article_id"], blocking=True)
    assert not outcome.success
    failed = {o.type: o for o in outcome.failed}
    assert set(failed) == {"expect_table_columns_to_match_set", "expect_column_values_to_be_unique"}
    assert failed["expect_column_values_to_be_unique"].unexpected_count == 2
    assert {row["article_id"] for row in failed["expect_column_values_to_be_unique"].failing_ids} == {"article_id-0"}


def test_quality_warns_when_most_articles_are_stubs():
    outcome = validate(_articles(10, words=6), "dedupe", "table", ["article_id"], blocking=False)
    assert [o.column for o in outcome.failed] == ["word_count"] and outcome.failed[0].unexpected_count == 10


def test_a_missing_named_column_fails_its_expectations_rather_than_passing():
    outcome = validate(_articles(3).drop("story_id"), "dedupe", "table", ["article_id"], blocking=True)
    assert {(o.type, o.column) for o in outcome.failed} == {
        ("expect_table_columns_to_match_set", None), ("expect_column_values_to_not_be_null", "story_id")}


def test_checks_validated_in_a_worker_process_reach_the_same_verdicts():
    import pipelines.checks as checks

    frame = pl.concat([_articles(5), _articles(1)]).drop("publisher")
    here = [checks.validate_table(frame, "dedupe", ["article_id"], blocking) for blocking in (True, False)]
    worker = checks.ValidationWorker()
    try:
        checks.use_validation_worker(worker.hand_over())
        there = [checks.validate_table(frame, "dedupe", ["article_id"], blocking) for blocking in (True, False)]
        with pytest.raises(FileNotFoundError):  # a suite that cannot run fails the check where it runs
            checks.validate_table(frame, "no_such_stage", ["article_id"], True)
    finally:
        checks.use_validation_worker(None)
        worker.stop()
    assert there == here
    assert not there[0].success and there[1].success
