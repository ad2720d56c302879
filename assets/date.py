"""Date: find each article's declared date and its evidence, infer one for undated articles,
and compute the consistency figures that the date suite's row expectations judge.

Evidence is taken only from accepted sections: a date inside a rejected spam section dates nothing.
"""

import calendar
import json
import re
from datetime import date, datetime

import polars as pl

from assets.common import DATE_ANY, DATE_LABEL, DAY_FIRST_DATE, MONTH_FIRST_DATE, MONTHS, rejections_frame

MONTH_NUMBER = {name: i for i, names in enumerate(
    [(), ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
     ("december", "dec")]) for name in names}
ISO = re.compile(r"(?<![\d/.-])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
MONTH_FIRST = re.compile(MONTH_FIRST_DATE, re.I)
DAY_FIRST = re.compile(DAY_FIRST_DATE, re.I)
NUMERIC_DMY = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?!\d)")
URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:/|-|$)")
MONTH_YEAR = re.compile(rf"\b(?=[adfjmnos])({MONTHS})\.?,?\s+((?:19|20)\d{{2}})\b", re.I)
YEAR = re.compile(r"(?<![\d/-])((?:19|20)\d{2})(?![\d/-])")
FOUR_DIGITS = re.compile(r"\d{4}")  # every date the body can report has a year: text without one holds no event
SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)", re.M)  # a paragraph break ends a sentence too (a heading, a list line)
# a line of capitalised words with no full stop is a heading: its year names something ("Business Awards 2026",
# "Budget 2025"), it does not report that it happened
HEADING = re.compile(r"(?:[^\w.!?]*(?:[A-Z0-9]\w*|[a-z]{1,3})\b)+[^\w.!?]*")
# a month named without a year after a preposition ("in October", "on March 3"): capitalised, so "may" the verb is not one
MONTH_ALONE = re.compile(
    r"\b(?i:in|on|by|since|from|until|last|early|late|mid-|mid|of)\s+(%s)\.?(?:\s+(\d{1,2})(?:st|nd|rd|th)?)?\b(?!,?\s+\d{4})"
    % "|".join(m.capitalize() for m in MONTHS.split("|")))
LAST_YEAR = re.compile(r"\blast year\b", re.I)
# (A pattern that opens with a word start and a look-ahead at the first letter lets the regex engine pass over
# every other position at once: two to three times faster on long bodies.)
# words that make a sentence's dates plans rather than past events
FUTURE_CUE = re.compile(
    r"\b(?=[a-z])(?:will|would|shall|could|scheduled|expect(?:s|ed|ing)?|intends?|hopes?|plans?|planned|planning|due|set to|"
    r"likely to|to take place|to be held|"
    r"slated|aims?|target(?:s|ed)?|foreseen|envisaged|anticipated|"
    r"upcoming|forecast|projected|budget(?:ed)?|deadline|goal|vision|"
    r"next edition|(?:marked|pencil+ed|earmarked)(?:\s+(?:in|down))?\s+for)\b",
    re.I,
)
CLAUSE_BREAK = re.compile(r"[,;]\s+(?!\d{4}\b)|\s+[–—-]\s+")  # not the comma of "April 22, 2025"
SUBORDINATE = re.compile(r"(?:which|who|after|when|since|following|before|where|while|as|once)\b", re.I)
# the facts line of an event listing ("Dates: Friday 23 to Sunday 25 August"): when it is on, not when it was
EVENT_LISTING = re.compile(r"^\s*(?:dates?|when|times?|opening (?:hours|times))\s*:", re.I)
# words that make the one date they precede a limit or a start, not an event ("by 2030", "until March 2024",
# "a further rise from April 2026")
FUTURE_LIMIT = re.compile(r"\b(?:by|until|till|through|next|before|ahead of|from)"
                          r"(?:\s+(?:the\s+)?(?:end|start|middle|spring|summer|autumn|fall|winter)(?:\s+of)?)?\s*$", re.I)
# a named month or day after "for" is what something is meant for ("a school place for September 2026");
# a bare year after it usually names a past period ("profits for 2023"), so a bare year stays evidence
FOR_TARGET = re.compile(r"\bfor\s+(?:the\s+)?$", re.I)
# ... and so is a bare year after an aim ("in talks to secure battery supplies for 2026")
PURPOSE_FOR = re.compile(r"\bto\s+[a-z]+\s+(?:[\w'’-]+\s+){0,3}for\s+(?:the\s+)?$", re.I)
# ... and so is the year that tickets or places are sold for ("early-bird passes for 2025 are on sale")
SOLD_FOR = re.compile(r"\b(?:tickets?|passes|places|entries|bookings|season tickets?)\s+for\s+(?:the\s+)?$", re.I)
# a date a product carries is its shelf life, not when anything happened ("use-by dates of 12 and 14 November 2025")
SHELF_LIFE = re.compile(r"\b(?:use[- ]by|best[- ]before|sell[- ]by|expiry|display until)\b", re.I)

DATED_SCHEMA_EXTRA = {
    "declared_date": pl.Date,
    "published_date": pl.Date,
    "date_source": pl.String,
    "date_status": pl.String,
    "date_precision": pl.String,
    "date_evidence": pl.String,
    "declared_parse_error": pl.String,
    "future_days": pl.Int64,
    "future_evidence": pl.String,
    "url_gap_days": pl.Int64,
    "url_evidence": pl.String,
    "copyright_gap_years": pl.Int64,
    "copyright_evidence": pl.String,
    "body_past_gap_days": pl.Int64,
    "body_evidence": pl.String,
}


class DateParseError(ValueError):
    pass


def parse_declared(text: str) -> date:
    """Parse a declared date (header line or metadata value) or say why it is not a date."""
    s = re.sub(r"^(\d{1,2})\.\s(\d{1,2})\.\s(\d{4})", r"\1.\2.\3", DATE_LABEL.sub("", text.strip()).strip(" ."))
    try:
        if m := ISO.search(s):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := MONTH_FIRST.search(s):
            return date(int(m[3]), MONTH_NUMBER[m[1].lower()], int(m[2]))
        if m := DAY_FIRST.search(s):
            return date(int(m[3]), MONTH_NUMBER[m[2].lower()], int(m[1]))
        if m := NUMERIC_DMY.search(s):
            first, second, year = int(m[1]), int(m[3]), int(m[4])
            day, month = (first, second) if first > 12 else (second, first) if second > 12 else (first, second)
            return date(year, month, day)
    except ValueError as exc:
        raise DateParseError(f"declared {text.strip()!r} is not a real date ({exc})") from exc
    import dateparser

    parsed = dateparser.parse(s, settings={"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]})
    if parsed is None:
        raise DateParseError(f"declared {text.strip()!r} is not a date")
    return parsed.date()


def url_date(url: str | None) -> date | None:
    m = URL_DATE.search(url or "")
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _past_clauses(body: str) -> list[str]:
    """The parts of the body's sentences that can report past events. A future cue ("will", "scheduled")
    rules out its sentence, except for a clause set off by commas that opens with "which", "after", "when"
    and the like: it speaks for itself ("The mill, which closed in March 2023, will be demolished")."""
    clauses = []
    for sentence in SENTENCE.findall(body):
        if not FOUR_DIGITS.search(sentence) or EVENT_LISTING.match(sentence) or HEADING.fullmatch(sentence):
            continue
        parts = [(p, bool(FUTURE_CUE.search(p)), bool(SUBORDINATE.match(p))) for p in CLAUSE_BREAK.split(sentence)]
        main_is_future = any(future and not subordinate for _, future, subordinate in parts)
        clauses += [p for p, future, subordinate in parts
                    if not future and (subordinate or not main_is_future) and FOUR_DIGITS.search(p)]
    return clauses


def body_past_events(body: str, now: date) -> list[tuple[date, str, str]]:
    """Dates the body reports as past: (lower bound of the event, precision, the words that say so).

    A year inside a sentence that talks about plans or the future ("elections scheduled for 2025")
    is not evidence; neither is any date after `now`.
    """
    events: list[tuple[date, str, str]] = []
    for sentence in _past_clauses(body):
        taken: list[tuple[int, int]] = []
        # a date after "until"/"by" is a limit; a named month after "for" is a target: neither is an event,
        # and the month or year inside it is not one either
        limited = lambda m, words=FUTURE_LIMIT: words.search(sentence[max(0, m.start() - 40):m.start()])  # noqa: E731
        not_an_event = lambda m: limited(m) or limited(m, FOR_TARGET) or limited(m, SHELF_LIFE)  # noqa: E731
        for m in DATE_ANY.finditer(sentence):
            taken.append(m.span())
            if not_an_event(m):
                continue
            try:
                events.append((parse_declared(m.group(0)), "day", m.group(0)))
            except DateParseError:
                continue
        for m in MONTH_YEAR.finditer(sentence):
            if any(a <= m.start() < b for a, b in taken):
                continue
            taken.append(m.span())
            if not not_an_event(m):
                events.append((date(int(m[2]), MONTH_NUMBER[m[1].lower()], 1), "month", m.group(0)))
        for m in YEAR.finditer(sentence):
            if not (any(a <= m.start() < b for a, b in taken) or limited(m) or limited(m, PURPOSE_FOR) or limited(m, SOLD_FOR)):
                events.append((date(int(m[1]), 1, 1), "year", m.group(0)))
    return [e for e in events if e[0] <= now]


def undated_events(body: str, past: list[tuple[date, str, str]], now: date) -> list[tuple[date, str, str]]:
    """For an article with no declared date: months named without a year, placed in the latest year the
    body reports; and "last year" beside a year Y, which puts the report in Y+1 or later."""
    years = [e[0].year for e in past]
    if not years:
        return []
    reference, events = max(years), []
    for sentence in SENTENCE.findall(body):
        if FUTURE_CUE.search(sentence):
            continue
        for m in MONTH_ALONE.finditer(sentence):
            day = int(m[2]) if m[2] and int(m[2]) <= calendar.monthrange(reference, MONTH_NUMBER[m[1].lower()])[1] else None
            events.append((date(reference, MONTH_NUMBER[m[1].lower()], day or 1), "day" if day else "month",
                           f"{m.group(0).strip()} ({reference})"))
        said = [int(y) for y in YEAR.findall(sentence)]
        if LAST_YEAR.search(sentence) and said:
            events.append((date(max(said) + 1, 1, 1), "day", f"last year = {max(said)}"))
    return [e for e in events if e[0] <= now]


def _latest_end(event: tuple[date, str, str]) -> date:
    """The last day an event of that precision could have been."""
    d, precision, _ = event
    if precision == "year":
        return date(d.year, 12, 31)
    if precision == "month":
        return date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])
    return d


def date_article(row: dict, body: str, now: date) -> dict:
    """Evidence, declared and published dates, and the consistency figures for one article."""
    evidence: list[dict] = []
    declared, source, parse_error = None, None, None
    # (where, the text shown as evidence, the date in it), in order of trust: the first real date is the declared one
    stated = [("header", line, line) for line in row["date_lines"] or []]
    if row.get("meta_date"):
        stated.append(("html_meta" if row.get("format") == "html" else "jsonl_field", row["meta_date"], row["meta_date"]))
    if row.get("dateline") and (m := DATE_ANY.search(row["dateline"])):
        stated.append(("dateline", row["dateline"], m[0]))
    for where, text, date_text in stated:
        try:
            d = parse_declared(date_text)
            evidence.append({"source": where, "text": text, "date": d.isoformat()})
            if declared is None:
                declared, source = d, where
        except DateParseError as exc:
            evidence.append({"source": where, "text": text, "error": str(exc)})
            parse_error = parse_error or str(exc)
    from_url = url_date(row.get("source_url"))
    if from_url:
        evidence.append({"source": "url", "text": row["source_url"], "date": from_url.isoformat()})
    if row.get("copyright_year"):
        evidence.append({"source": "copyright", "text": str(row["copyright_year"])})
    past = body_past_events(body, now)
    latest_past = max(past, key=lambda e: e[0], default=None)
    if latest_past:
        evidence.append({"source": "body", "text": latest_past[2], "date": latest_past[0].isoformat()})

    out = {k: None for k in DATED_SCHEMA_EXTRA}
    out["declared_parse_error"] = parse_error if declared is None else None
    if declared is None and from_url:
        declared, source = from_url, "url"
    if declared is not None:
        out.update(declared_date=declared, published_date=declared, date_source=source, date_status="ok", date_precision="day")
        out["future_days"] = (declared - now).days
        out["future_evidence"] = f"declared {declared} is after now {now}"
        if from_url and source != "url":
            out["url_gap_days"] = abs((declared - from_url).days)
            out["url_evidence"] = f"declared {declared} vs source URL date {from_url}"
        if row.get("copyright_year"):
            out["copyright_gap_years"] = declared.year - row["copyright_year"]
            out["copyright_evidence"] = f"declared {declared} vs copyright year {row['copyright_year']}"
        # the earliest a reported event could have happened must not be after the declared date
        reported = [e for e in past if e[0] > declared]
        if reported:
            worst = max(reported, key=lambda e: e[0])
            out["body_past_gap_days"] = (worst[0] - declared).days
            shown = worst[0].year if worst[1] == "year" else worst[2]
            out["body_evidence"] = f"declared {declared} < body reports {shown} as past"
    elif latest_past:
        # the report came after the latest event it tells of: the last day that event could have been
        latest = max(past + undated_events(body, past, now), key=_latest_end)
        if latest not in past:
            evidence.append({"source": "body", "text": latest[2], "date": latest[0].isoformat()})
        out.update(published_date=min(_latest_end(latest), now), date_source="body", date_status="inferred",
                   date_precision=latest[1])
    elif row.get("copyright_year"):
        out.update(published_date=date(row["copyright_year"], 1, 1), date_source="copyright", date_status="inferred",
                   date_precision="year")
    else:
        out.update(date_status="undated")
    out["date_evidence"] = json.dumps(evidence, ensure_ascii=False)
    return out


def date_evidence_frame(articles: pl.DataFrame, sections: pl.DataFrame, now: datetime) -> pl.DataFrame:
    """`articles` plus one column per date fact; body evidence comes from body sections only."""
    bodies = dict(
        sections.filter(pl.col("kind") == "body").sort("article_id", "ordinal")
        .group_by("article_id", maintain_order=True).agg(pl.col("text").str.join("\n"))
        .iter_rows()
    )
    today = now.date()
    facts = [date_article(row, bodies.get(row["article_id"], ""), today) for row in articles.iter_rows(named=True)]
    return pl.concat([articles, pl.DataFrame(facts, schema=DATED_SCHEMA_EXTRA)], how="horizontal")


def reject_mis_dated(evidence: pl.DataFrame, now: datetime) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Judge a date-evidence frame with the date suite: (accepted articles, rejections of mis-dated ones)."""
    from expectations.runner import row_rejections

    failing, _ = row_rejections(evidence, "date", ["article_id"])
    rejected_ids = set(failing["article_id"].to_list())
    file_of = dict(evidence.select("article_id", "file_id").iter_rows())
    rejections = rejections_frame(
        [{"file_id": file_of[r["article_id"]], "article_id": r["article_id"], "reason": r["reason"], "detail": r["detail"]}
         for r in failing.iter_rows(named=True)], "date", now)
    return evidence.filter(~pl.col("article_id").is_in(rejected_ids)), rejections


def date_articles(articles: pl.DataFrame, sections: pl.DataFrame, now: datetime) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The date stage: (accepted articles with their dates, rejections of mis-dated articles)."""
    return reject_mis_dated(date_evidence_frame(articles, sections, now), now)


# ----------------------------------------------------------------------------- Dagster asset
import dagster as dg  # noqa: E402
from dagster import AssetExecutionContext  # noqa: E402

from pipelines.batches import ingest_batches  # noqa: E402
from pipelines.metadata import counts_by, frame_metadata, rejection_metadata  # noqa: E402
from pipelines.resources import NewsEtlSettings  # noqa: E402
from pipelines.versions import rules_version  # noqa: E402


@dg.multi_asset(
    outs={
        "dated_articles": dg.AssetOut(group_name="date", code_version=rules_version(), description="Accepted articles with declared date, evidence, published date and date status."),
        "date_rejections": dg.AssetOut(group_name="date", code_version=rules_version(), description="Mis-dated articles, with the evidence that contradicts the declared date."),
    },
    partitions_def=ingest_batches,
    description="Find declared dates and their evidence, infer dates for undated articles, reject mis-dated ones.",
)
def date_stage(context: AssetExecutionContext, news: NewsEtlSettings, cleaned_articles: pl.DataFrame, sections: pl.DataFrame):
    dated, rejections = date_articles(cleaned_articles, sections, news.run_now())
    dated = dated.with_columns(batch_id=pl.lit(context.partition_key), rules_version=pl.lit(rules_version()))
    yield dg.Output(dated, "dated_articles", metadata={
        **frame_metadata(dated, ["file_name", "declared_date", "published_date", "date_source", "date_status"]),
        "articles_by_date_status": dg.MetadataValue.json(counts_by(dated, "date_status")),
    })
    yield dg.Output(rejections, "date_rejections", metadata=rejection_metadata(rejections))
