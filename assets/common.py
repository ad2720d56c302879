"""Schemas and small helpers shared by the stage modules."""

from datetime import datetime

import re

import polars as pl

from pipelines.versions import rules_version

REJECTION_SCHEMA = {
    "file_id": pl.String,
    "article_id": pl.String,
    "section_ordinal": pl.Int32,
    "stage": pl.String,
    "reason": pl.String,
    "detail": pl.String,
    "rejected_at": pl.Datetime("us", "UTC"),
    "rules_version": pl.String,
}


def rejections_frame(rows: list[dict], stage: str, at: datetime) -> pl.DataFrame:
    """Build a `rejections` frame; each row needs file_id, reason and detail at least."""
    full = [
        {
            "file_id": r["file_id"],
            "article_id": r.get("article_id"),
            "section_ordinal": r.get("section_ordinal"),
            "stage": stage,
            "reason": r["reason"],
            "detail": r["detail"],
            "rejected_at": at,
            "rules_version": rules_version(),
        }
        for r in rows
    ]
    return pl.DataFrame(full, schema=REJECTION_SCHEMA)


def current_file_ids(raw_files: pl.DataFrame) -> pl.Series:
    """The file ids the corpus is built from: for each landing path, the version staged in its latest batch
    (a file edited in place supersedes its earlier version; files since removed from the landing dir stay)."""
    return raw_files.sort("batch_id").unique("path", keep="last")["file_id"].unique()


def keep_current(frame: pl.DataFrame, file_ids: pl.Series, key: list[str]) -> pl.DataFrame:
    """Rows of `frame` (all batches, oldest first) from current files, one per `key`: the same bytes staged
    in two batches (a copy under another name) give the same rows twice, and the first is kept."""
    return frame.filter(pl.col("file_id").is_in(file_ids.implode())).unique(key, keep="first", maintain_order=True)


MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"
# Named-month dates, (month, day, year) and (day, month, year): "March 2, 1987"; "2 March 1987", "8. Jan 2026", "08-Dec-2020"
MONTH_FIRST_DATE = rf"({MONTHS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})"
DAY_FIRST_DATE = rf"(\d{{1,2}})(?:st|nd|rd|th|\.)?(?:\s+|[/-])(?:of\s+)?({MONTHS})\.?,?(?:\s+|[/-])(\d{{4}})"
# Shapes of a written date; which parts are valid (month 13, February 30) is the date stage's call.
# It opens at a word start: the regex engine then skips mid-word positions at once (three times faster on
# long bodies), and a word ending in "sat" or "mon" is no weekday.
DATE_PATTERN = (
    rf"\b(?=[a-z\d]){_WEEKDAY}(?:"
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?"
    rf"|{MONTH_FIRST_DATE}|{DAY_FIRST_DATE}"
    r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{1,2}\.\s\d{1,2}\.\s\d{4}"
    r")"
)
DATE_ANY = re.compile(DATE_PATTERN, re.I)  # a date anywhere in a text

# "Published:", "date", "Updated" and the like before a date on a header line
DATE_LABEL = re.compile(
    r"^(?:date(?: of publication)?|dated|(?:first |originally )?published|publication date|(?:last )?updated|posted|on)"
    r"(?:\s+on)?\s*[:\-–]?\s*(?:the\s+)?", re.I)
