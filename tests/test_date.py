"""Date: declared dates, evidence, inference and the mis-dated rules."""
from datetime import date, datetime, timezone

import polars as pl
import pytest

from assets.clean import ARTICLE_SCHEMA
from assets.date import DateParseError, body_past_events, date_articles, parse_declared

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)


def past_dates(body: str, now: date) -> set[date]:
    """The dates the body reports as past, without how precise each is or the words that say so."""
    return {d for d, _, _ in body_past_events(body, now)}


@pytest.mark.parametrize("text, expected", [
    ("2024-02-11", date(2024, 2, 11)),
    ("date 2024-02-12", date(2024, 2, 12)),
    ("March 2, 1987", date(1987, 3, 2)),
    ("2 March 1987", date(1987, 3, 2)),
    ("Published Mon, 02 Mar 1987", date(1987, 3, 2)),
    ("Updated: Sept. 9, 2023", date(2023, 9, 9)),
    ("2025-02-18T09:00:00Z", date(2025, 2, 18)),
    ("Updated 06:40, 12 January 2023", date(2023, 1, 12)),
    ("MAR 4, 2025 | 6:15 AM ET", date(2025, 3, 4)),
    ("Monday, 2 June 2025 — 10:05", date(2025, 6, 2)),
])
def test_declared_dates_in_common_formats(text, expected):
    assert parse_declared(text) == expected


@pytest.mark.parametrize("text", ["2024-13-45", "February 30, 2024", "date 2023-02-29"])
def test_impossible_dates_are_parse_errors(text):
    with pytest.raises(DateParseError, match="not a real date"):
        parse_declared(text)


def test_future_tense_years_are_not_past_events():
    body = ("The dam was finished in 2019. Elections are scheduled for 2027. "
            "The ministry plans to double capacity by 2030. Floods in March 2023 closed the road.")
    found = {(d.year, precision) for d, precision, _ in body_past_events(body, date(2025, 6, 1))}
    assert found == {(2019, "year"), (2023, "month")}


def test_a_clause_of_its_own_reports_the_past_inside_a_sentence_about_the_future():
    body = ("The mill, which closed in March 2023, will be turned into flats. In May 2026, the council will vote again. "
            "The new bridge will open, after a delay, in June 2026. Frost on April 22, 2025, the coldest since 1961, hit the crop.")
    found = {(d, precision) for d, precision, _ in body_past_events(body, date(2026, 6, 1))}
    assert found == {(date(2023, 3, 1), "month"), (date(2025, 4, 22), "day"), (date(1961, 1, 1), "year")}


def test_an_event_listings_facts_lines_are_not_past_events():
    body = ("The fair returns next month.\n\nThe basics\nDates: Friday 23 to Sunday 25 August 2024\n"
            "Where: the old quay\n\nLast year's fair, on 19 August 2023, drew 4,000 people.")
    found = past_dates(body, date(2026, 6, 1))
    assert found == {date(2023, 8, 19)}


def test_dates_something_is_for_or_runs_until_are_not_past_events():
    body = ("Parents may now apply for a place for September 2026. The old bridge stays shut until 3 March 2026. "
            "Profits for 2024 rose by a tenth. The hall reopened on 12 May 2025.")
    found = {(d, precision) for d, precision, _ in body_past_events(body, date(2026, 6, 1))}
    assert found == {(date(2024, 1, 1), "year"), (date(2025, 5, 12), "day")}


def test_a_word_ending_like_a_weekday_is_not_part_of_the_date_after_it():
    from assets.common import DATE_ANY

    assert [m.group(0) for m in DATE_ANY.finditer("Staff compensation\n04.09.2021 and the Monday, 6 May 2024 sitting")] \
        == ["04.09.2021", "Monday, 6 May 2024"]
    assert past_dates("The compensation 2019 scheme closed. Demonstrators met on 2 May 2024.", date(2026, 6, 1)) \
        == {date(2019, 1, 1), date(2024, 5, 2)}


def _articles(**overrides) -> pl.DataFrame:
    row = {k: None for k in ARTICLE_SCHEMA} | {"article_id": "a1", "file_id": "f1", "file_name": "a.txt", "format": "txt",
                                               "date_lines": []}
    return pl.DataFrame([row | overrides], schema=ARTICLE_SCHEMA)


def _sections(body: str) -> pl.DataFrame:
    return pl.DataFrame({"article_id": ["a1"], "ordinal": [0], "kind": ["body"], "text": [body]})


def run(body="The mayor opened the new library on Friday.", **overrides):
    return date_articles(_articles(**overrides), _sections(body), NOW)


def test_consistent_declared_date_is_ok():
    dated, rejected = run("The strike that began in 2024 ended this week.", date_lines=["April 3, 2025"],
                          source_url="https://example.org/2025/04/02/strike-ends", copyright_year=2025)
    row = dated.row(0, named=True)
    assert rejected.height == 0
    assert (row["declared_date"], row["date_status"], row["date_source"]) == (date(2025, 4, 3), "ok", "header")


@pytest.mark.parametrize("overrides, body, reason, evidence", [
    ({"date_lines": ["June 28, 2031"]}, "Talks continued.", "mis_dated_future", "after now"),
    ({"date_lines": ["2019-02-12"], "source_url": "https://example.org/world/2024/02/11/story/"}, "Talks continued.",
     "mis_dated_url_conflict", "URL date 2024-02-11"),
    ({"date_lines": ["June 28, 2012"], "copyright_year": 2021}, "Talks continued.",
     "mis_dated_copyright_conflict", "copyright year 2021"),
    ({"date_lines": ["June 28, 2012"]}, "The groups were merged into the army in 2016.", "mis_dated_before_body_events",
     "body reports 2016 as past"),
    ({"date_lines": ["2024-13-45"]}, "Talks continued.", "mis_dated_unparseable", "not a real date"),
])
def test_mis_dated_articles_are_rejected_with_the_evidence(overrides, body, reason, evidence):
    dated, rejected = run(body, **overrides)
    assert dated.height == 0
    assert reason in rejected["reason"].to_list()
    detail = rejected.filter(pl.col("reason") == reason)["detail"].item()
    assert evidence in detail


def test_url_one_day_off_is_tolerated():
    dated, rejected = run(date_lines=["2024-02-12"], source_url="https://example.org/2024/02/11/x/")
    assert rejected.height == 0 and dated["date_status"].item() == "ok"


def test_undated_article_is_inferred_from_the_latest_past_event():
    dated, rejected = run("The plant closed in 2019. A court ruled on 4 March 2022 that it may reopen. "
                          "Reopening is planned for 2026.")
    row = dated.row(0, named=True)
    assert rejected.height == 0
    assert (row["published_date"], row["date_source"], row["date_status"]) == (date(2022, 3, 4), "body", "inferred")


def test_article_with_no_evidence_is_undated_not_rejected():
    dated, rejected = run("Residents gathered on the square to watch the parade.")
    assert rejected.height == 0 and dated["date_status"].item() == "undated" and dated["published_date"].item() is None


def test_a_dated_dateline_declares_the_date_when_no_header_does():
    dated, _ = run(dateline="PORTHENNA, England, Nov. 18, 2024 (Harwick Press Agency)")
    assert (dated["declared_date"].item(), dated["date_source"].item()) == (date(2024, 11, 18), "dateline")
    dated, _ = run(dateline="PORTHENNA, Nov. 18, 2024", date_lines=["November 19, 2024"])
    assert dated["date_source"].item() == "header"
    assert '"source": "dateline"' in dated["date_evidence"].item()


def test_jsonl_date_field_declares_the_date():
    dated, _ = run(meta_date="2025-03-03", format="jsonl")
    assert (dated["declared_date"].item(), dated["date_source"].item()) == (date(2025, 3, 3), "jsonl_field")


def test_months_without_a_year_and_last_year_date_an_undated_article():
    from assets.date import body_past_events, undated_events

    body = ("Last year the Pellow choir sang at the 2023 festival. The hall was repainted in March. "
            "On October 4 the roof was finished.")
    now = date(2026, 11, 1)
    past = body_past_events(body, now)
    events = {e[2]: e[0] for e in undated_events(body, past, now)}
    assert events["last year = 2023"] == date(2024, 1, 1)
    assert events["in March (2023)"] == date(2023, 3, 1)
    assert events["On October 4 (2023)"] == date(2023, 10, 4)
    assert not undated_events("The choir may sing in May.", [], now)  # no year to place it in


def test_a_vote_likely_to_take_place_later_is_not_a_past_event():
    body = "Officials said the vote was likely to take place in mid-February 2026. The governor was elected in May 2023."
    assert past_dates(body, date(2026, 6, 1)) == {date(2023, 5, 1)}


def test_the_use_by_dates_of_recalled_food_are_not_past_events():
    body = ("The recall covers 250g jars with use-by dates of 3 March and 9 March 2026. "
            "The dairy said in January 2026 that it had found the fault.")
    assert past_dates(body, date(2026, 6, 1)) == {date(2026, 1, 1)}


def test_a_clause_saying_something_is_foreseen_for_a_date_is_a_plan():
    body = ("The kindergarten will join after its kitchen is extended, which is foreseen for the autumn of 2025. "
            "The school kitchen opened in March 2024.")
    assert past_dates(body, date(2026, 6, 1)) == {date(2024, 3, 1)}


def test_a_change_that_applies_from_a_date_is_not_a_past_event():
    body = ("The offer gives a 4.2 percent rise backdated to April and a further 3.5 percent from April 2026. "
            "The strike began in November 2024.")
    assert past_dates(body, date(2026, 6, 1)) == {date(2024, 11, 1)}


def test_a_year_something_is_sought_for_is_an_aim_but_a_period_reported_for_a_year_is_past():
    body = ("The mill was in talks with two growers to secure enough barley for 2027. "
            "Its profits for 2024 rose by a fifth, the accounts showed.")
    assert past_dates(body, date(2028, 6, 1)) == {date(2024, 1, 1)}


def test_a_date_something_is_pencilled_in_for_is_a_plan():
    body = ("The next edition of the show is already marked for the first week of June of 2027. "
            "Repairs are pencilled in for March 2026. The hall reopened in May 2025.")
    assert past_dates(body, date(2028, 1, 1)) == {date(2025, 5, 1)}


def test_a_year_tickets_are_sold_for_is_not_a_past_event():
    body = "Early-bird passes for 2026 are on sale now. The first festival was held in 2019."
    assert past_dates(body, date(2028, 1, 1)) == {date(2019, 1, 1)}


def test_a_year_in_a_heading_names_something_but_a_sentence_under_it_reports_the_past():
    body = ("KELLAWAY TRADE AWARDS 2026\nNominations open on Monday for this year's prizes.\n\n"
            "Harbour Works 2025 in Numbers\nThe scheme was finished in 2024.")
    assert past_dates(body, date(2027, 1, 1)) == {date(2024, 1, 1)}
