"""The bundled sample corpus, run end to end, against its labels (data/labels/sample.json)."""
import json

import pytest

from pipelines.evaluate import article_key
from tests.conftest import REPO, query

LABELS = json.loads((REPO / "data" / "labels" / "sample.json").read_text())["articles"]


def _sections_by_article(warehouse):
    rows = query(warehouse, """
        SELECT f.path, s.article_id, s.kind, s.text FROM sections s
        JOIN (SELECT DISTINCT file_id, path FROM raw_files) f USING (file_id) ORDER BY s.article_id, s.ordinal""")
    out = {}
    for path, article_id, kind, text in rows:
        out.setdefault(article_key(path, article_id), []).append((kind, text))
    return out


def _has(lines: list[str], expected: str) -> bool:
    return any(line.startswith(expected[:-3]) if expected.endswith("...") else line == expected for line in lines)


@pytest.mark.parametrize("key", sorted(LABELS))
def test_sections_match_labels(sample_run, key):
    label = LABELS[key]
    sections = _sections_by_article(sample_run)[key]
    by_kind = lambda kind: [t for k, t in sections if k == kind]  # noqa: E731
    for kind, field in [("spam", "spam_lines"), ("boilerplate", "boilerplate_lines"), ("caption", "caption_lines"),
                        ("credit", "credit_lines"), ("byline", "byline_lines")]:
        for line in label.get(field, []):
            assert _has(by_kind(kind), line), f"{key}: {line!r} is not {kind}: {[(k, t[:50]) for k, t in sections]}"
    assert len(by_kind("body")) == label["body_paragraphs"], f"{key}: {[(k, t[:50]) for k, t in sections]}"
    if label.get("title"):
        assert by_kind("title") == [label["title"]]


def test_dates_and_rejections_match_labels(sample_run):
    got = {}
    for path, article_id, declared, status in query(sample_run, """
            SELECT f.path, a.article_id, a.declared_date, a.date_status FROM articles a
            JOIN (SELECT DISTINCT file_id, path FROM raw_files) f USING (file_id)"""):
        got[article_key(path, article_id)] = (str(declared) if declared else None, status)
    rejected = {article_key(p, a): reason for p, a, reason in query(sample_run, """
        SELECT f.path, r.article_id, r.reason FROM rejections r
        JOIN (SELECT DISTINCT file_id, path FROM raw_files) f USING (file_id) WHERE r.stage = 'date'""")}
    for key, label in LABELS.items():
        if label["date_status"] == "mis_dated":
            assert key not in got and rejected[key].startswith("mis_dated"), key
            continue
        assert key not in rejected, f"{key} wrongly rejected as {rejected.get(key)}"
        declared, status = got[key]
        assert declared == label["declared_date"], key
        assert status == label["date_status"] or (label["date_status"] == "undated" and status == "inferred"), key


def test_near_duplicate_pair_is_one_story_and_nothing_else_is(sample_run):
    stories = dict(query(sample_run, """
        SELECT f.path || CASE WHEN a.article_id LIKE '%:%' THEN '#' || (split_part(a.article_id, ':', 2)::INT - 1) ELSE '' END,
               a.story_id FROM articles a JOIN (SELECT DISTINCT file_id, path FROM raw_files) f USING (file_id)"""))
    for key, label in LABELS.items():
        if key not in stories:
            continue
        same = {k for k, s in stories.items() if s == stories[key] and k != key}
        assert same == set(label.get("same_story_as", [])), key


def test_spam_never_reaches_a_body_and_business_news_survives(sample_run):
    spam = [t for (t,) in query(sample_run, "SELECT text FROM sections WHERE kind = 'spam'")]
    assert spam
    bodies = " ".join(b for (b,) in query(sample_run, "SELECT body FROM articles"))
    assert not any(s in bodies for s in spam)
    assert query(sample_run, "SELECT count(*) FROM rejections r JOIN raw_files f USING (file_id) "
                             "WHERE f.path = 'web/tech-earnings.txt'")[0][0] == 0
