"""Schemas and small helpers shared by the stage modules."""

from datetime import datetime

import re

import polars as pl

REJECTION_SCHEMA = {
    "file_id": pl.String,
    "article_id": pl.String,
    "section_ordinal": pl.Int32,
    "stage": pl.String,
    "reason": pl.String,
    "detail": pl.String,
    "rejected_at": pl.Datetime("us", "UTC"),
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
        }
        for r in rows
    ]
    return pl.DataFrame(full, schema=REJECTION_SCHEMA)


MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"
# Shapes of a written date; which parts are valid (month 13, February 30) is the date stage's call.
DATE_PATTERN = (
    rf"{_WEEKDAY}(?:"
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?"
    rf"|(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTHS})\.?,?\s+\d{{4}}"
    r"|\d{1,2}[/.]\d{1,2}[/.]\d{4}|\d{1,2}\.\s\d{1,2}\.\s\d{4}"
    r")"
)

# "Published:", "date", "Updated" and the like before a date on a header line
DATE_LABEL = re.compile(
    r"^(?:date|dated|(?:first |originally )?published|publication date|(?:last )?updated|posted|on)(?:\s+on)?\s*[:\-–]?\s*", re.I)
