"""The whole job over ../shared/seeds, checked against gold.json."""
import re

import pytest

from tests.conftest import query, run_refresh, table_counts


def _articles(warehouse):
    rows = query(warehouse, "SELECT file_name, article_id, body, declared_date, date_status FROM articles")
    return {r[0]: r for r in rows}


def _lines_of_kind(warehouse, file_name, kind):
    return [r[0] for r in query(warehouse, """
        SELECT s.text FROM sections s JOIN raw_files f USING (file_id)
        WHERE f.file_name = ? AND s.kind = ? ORDER BY s.ordinal""", [file_name, kind])]


def _matches(gold_line: str, text: str) -> bool:
    if "..." in gold_line:
        return text.startswith(gold_line.split("...")[0].strip())
    return text == gold_line


def test_spam_of_002_rejected_and_absent_from_bodies(seeds_run, gold):
    warehouse, _, _ = seeds_run
    spam = _lines_of_kind(warehouse, "002_a386f219438e4dd0.txt", "spam")
    for line in gold["articles"]["002_a386f219438e4dd0.txt"]["spam_lines"]:
        assert any(_matches(line, s) for s in spam), f"not classified spam: {line[:60]}"
        prefix = line.split("...")[0].strip()
        for _, _, body, _, _ in _articles(warehouse).values():
            assert prefix not in body
    rejected = query(warehouse, """
        SELECT count(*) FROM rejections r JOIN raw_files f USING (file_id)
        WHERE f.file_name = '002_a386f219438e4dd0.txt' AND r.stage = 'clean' AND r.reason = 'spam'
          AND r.section_ordinal IS NOT NULL AND r.detail LIKE 'spam_score%'""")[0][0]
    assert rejected == len(gold["articles"]["002_a386f219438e4dd0.txt"]["spam_lines"])


@pytest.mark.parametrize("name", ["001_4f878b5d1bd9397b.txt", "004_db0178ec0bacd3ce.txt"])
def test_boilerplate_and_captions_absent_from_bodies(seeds_run, gold, name):
    warehouse, _, _ = seeds_run
    g = gold["articles"][name]
    body = _articles(warehouse)[name][2]
    body_lines = set(body.split("\n\n"))
    for line in g["boilerplate_lines"] + g.get("caption_lines", []):
        assert line not in body_lines, f"{line!r} leaked into the body"
    assert set(g["boilerplate_lines"]) <= set(_lines_of_kind(warehouse, name, "boilerplate"))
    assert set(g.get("caption_lines", [])) <= set(_lines_of_kind(warehouse, name, "caption"))


def test_declared_dates_found_and_undated_not_rejected(seeds_run, gold):
    warehouse, _, _ = seeds_run
    articles = _articles(warehouse)
    for name, g in gold["articles"].items():
        assert name in articles, f"{name} was rejected"
        _, _, _, declared, status = articles[name]
        if g["declared_date"]:
            assert str(declared) == g["declared_date"] and status == "ok"
        else:
            assert declared is None and status in ("inferred", "undated")


def test_every_mis_dated_variant_rejected_with_evidence(seeds_run):
    warehouse, variants, _ = seeds_run
    for name, case in variants.items():
        rows = query(warehouse, """
            SELECT r.reason, r.detail FROM rejections r JOIN raw_files f USING (file_id)
            WHERE f.file_name = ? AND r.stage = 'date'""", [name])
        assert rows, f"{name} ({case['edit']}) was not rejected"
        assert all(reason.startswith("mis_dated") and detail for reason, detail in rows)
        new_value = re.findall(r"'([^']+)'", case["edit"])[-1]
        year = re.search(r"\d{4}", new_value).group(0)
        assert any(year in detail for _, detail in rows), rows
        assert query(warehouse, "SELECT count(*) FROM articles WHERE file_name = ?", [name])[0][0] == 0


def test_no_body_paragraph_lost(seeds_run, gold):
    warehouse, _, _ = seeds_run
    articles = _articles(warehouse)
    for name, g in gold["articles"].items():
        assert len(_lines_of_kind(warehouse, name, "body")) == g["body_paragraphs"], name
        assert len(articles[name][2].split("\n\n")) == g["body_paragraphs"], name


def test_credit_lines_recognised(seeds_run, gold):
    warehouse, _, _ = seeds_run
    for name, g in gold["articles"].items():
        for line in g.get("credit_lines", []):
            assert line in _lines_of_kind(warehouse, name, "credit")


def test_seed_translations_are_one_story(seeds_run, gold):
    warehouse, _, _ = seeds_run
    story = dict(query(warehouse, "SELECT file_name, story_id FROM articles WHERE file_name NOT LIKE 'variant%'"))
    for name, g in gold["articles"].items():
        same = {other for other in story if story[other] == story[name] and other != name}
        assert same == set(g["same_story_as"]), name


def test_second_run_changes_nothing(seeds_run):
    warehouse, _, landing = seeds_run
    before = table_counts(warehouse)
    bodies = query(warehouse, "SELECT article_id, body, story_id FROM articles ORDER BY 1")
    run_refresh(landing, warehouse)
    assert table_counts(warehouse) == before
    assert query(warehouse, "SELECT article_id, body, story_id FROM articles ORDER BY 1") == bodies
    assert query(warehouse, "SELECT count(*) - count(DISTINCT (path, file_id)) FROM raw_files")[0][0] == 0


def test_gold_entity_forms_resolve_to_one_entity_each_and_none_merge(seeds_run, gold):
    import polars as pl

    from pipelines.evaluate import entity_resolution

    warehouse, _, _ = seeds_run
    aliases = pl.DataFrame(query(warehouse, "SELECT entity_id, alias FROM entity_aliases"), schema=["entity_id", "alias"],
                           orient="row")
    result = entity_resolution(aliases, gold["entities"])
    assert result["merges"] == []
    assert result["forms_resolved"] >= 0.95, result["missed"]
