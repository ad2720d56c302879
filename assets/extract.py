"""Extract: spaCy named-entity recognition over the body sections of accepted articles.

Only the NER component runs (the model's other components are excluded), in batches with
`nlp.pipe`. Identical section texts (duplicate reports) are tagged once, and a batch keeps the
spans it found (`<warehouse>.staging/ner_spans/`), so reprocessing it after a change to the
cleaning rules tags only the section texts that changed.
Kept labels: people, organisations, places and facilities, groups and named events;
dates, numbers, money and the like are dropped (the date stage handles dates).

Three additions to what the model finds, each keeping offsets exact:
- the model reads curly apostrophes as straight ones (same length), so "Kata’ib" and
  "Mu’nis" stay one token; a trailing possessive "'s" is trimmed from a span;
- an EntityRuler after the model tags the forms listed in `warehouse/aliases.csv` where the
  model found nothing;
- an acronym introduced in an article ("Popular Mobilization Units (PMU)") is a mention
  wherever it recurs in that article, plural included, if the model missed it there.
"""

import functools
import hashlib
import re
from pathlib import Path

import polars as pl

from assets.resolve import ACRONYM_INTRO, acronym_expansion, read_alias_rows
from pipelines.staging import frame_path, write_frame

KEPT_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT")
NON_NER_COMPONENTS = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
STRAIGHT_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
MENTION_SCHEMA = {
    "article_id": pl.String,
    "section_ordinal": pl.Int32,
    "start_char": pl.Int32,
    "end_char": pl.Int32,
    "text": pl.String,
    "label": pl.String,
}
SPAN_SCHEMA = {"text_key": pl.String, "start_char": pl.Int32, "end_char": pl.Int32, "label": pl.String}


@functools.lru_cache(maxsize=2)
def load_model(name: str):
    import spacy

    try:
        nlp = spacy.load(name, exclude=NON_NER_COMPONENTS)
    except OSError as exc:
        raise RuntimeError(f"spaCy model {name!r} is not installed; run `make install` (it is pinned in requirements.lock)") from exc
    patterns = [{"label": label, "pattern": form.translate(STRAIGHT_APOSTROPHES)}
                for alias, canonical, label in read_alias_rows() if label in KEPT_LABELS for form in (alias, canonical)]
    if patterns:
        nlp.add_pipe("entity_ruler", after="ner", config={"overwrite_ents": False}).add_patterns(patterns)
    return nlp


def _span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without a trailing possessive."""
    if text[start:end].endswith(("'s", "\u2019s")) and end - start > 2:
        end -= 2
    return start, end


def acronym_mentions(article_sections: list[tuple[int, str]], found: list[tuple]) -> list[tuple]:
    """Mentions of acronyms introduced in this article, where the model did not tag them.

    `article_sections` is [(ordinal, text)]; `found` is [(ordinal, start, end, text, label)]."""
    labels = {t: label for _, _, _, t, label in found}
    acronyms: dict[str, str] = {}
    for _, text in article_sections:
        for m in ACRONYM_INTRO.finditer(text):
            long_form = acronym_expansion(m.group(1), m.group(2))
            if long_form:
                acronyms[m.group(2).removesuffix("s")] = next(
                    (label for t, label in labels.items() if t.endswith(long_form)), "ORG")
    if not acronyms:
        return []
    pattern = re.compile(r"\b(%s)s?\b" % "|".join(map(re.escape, sorted(acronyms, key=len, reverse=True))))
    taken = {(o, i) for o, s, e, _, _ in found for i in range(s, e)}
    return [(ordinal, m.start(), m.end(), m.group(0), acronyms[m.group(1)])
            for ordinal, text in article_sections for m in pattern.finditer(text)
            if not any((ordinal, i) in taken for i in range(m.start(), m.end()))]


Spans = dict[str, list[tuple[int, int, str]]]  # sha1 of a section text -> its (start, end, label) spans


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def tag_texts(texts: list[str], model_name: str, n_process: int = 1, batch_size: int = 64, known: Spans | None = None) -> Spans:
    """NER spans of each distinct text; texts already in `known` (tagged by the same model) are not tagged again."""
    known = known or {}
    keys = {t: text_key(t) for t in texts}
    spans = {key: known[key] for key in keys.values() if key in known}
    todo = [t for t, key in keys.items() if key not in spans]
    if todo:
        nlp = load_model(model_name)
        views = (t.translate(STRAIGHT_APOSTROPHES) for t in todo)
        for text, doc in zip(todo, nlp.pipe(views, batch_size=batch_size, n_process=n_process)):
            spans[keys[text]] = [_span(text, e.start_char, e.end_char) + (e.label_,)
                                 for e in doc.ents if e.label_ in KEPT_LABELS]
    return spans


def extract_mentions(body_sections: pl.DataFrame, model_name: str, n_process: int = 1, batch_size: int = 64,
                     known: Spans | None = None) -> tuple[pl.DataFrame, Spans]:
    """(one row per entity mention, the spans of every section text); a mention's `text` equals
    `section.text[start_char:end_char]`. Texts in `known` are not tagged again."""
    texts = body_sections["text"].unique(maintain_order=True).to_list()
    spans = tag_texts(texts, model_name, n_process, batch_size, known)
    by_text = {t: spans[text_key(t)] for t in texts}
    rows = []
    for (article_id,), group in body_sections.select("article_id", "ordinal", "text").group_by("article_id", maintain_order=True):
        sections = list(group.select("ordinal", "text").iter_rows())
        article = [(ordinal, s, e, text[s:e], label) for ordinal, text in sections for s, e, label in by_text[text]]
        article += acronym_mentions(sections, article)
        rows += [(article_id, *m) for m in sorted(article)]
    return pl.DataFrame(rows, schema=MENTION_SCHEMA, orient="row"), spans


def write_spans(path: Path, spans: Spans, version: str) -> None:
    """Keep a batch's spans beside its staged frames, so reprocessing it under new cleaning rules
    re-tags only the section texts that changed. A text with no entity keeps one row with no span."""
    rows = [(key, s, e, label) for key, found in spans.items() for s, e, label in (found or [(None, None, None)])]
    write_frame(pl.DataFrame(rows, schema=SPAN_SCHEMA, orient="row").with_columns(model_version=pl.lit(version)), path)


def read_spans(path: Path, version: str) -> Spans:
    """The spans `write_spans` kept, if that model version made them; nothing otherwise."""
    if not path.exists():
        return {}
    frame = pl.read_parquet(path)
    if frame.is_empty() or frame["model_version"][0] != version:
        return {}
    spans: Spans = {}
    for key, s, e, label in frame.select(list(SPAN_SCHEMA)).iter_rows():
        spans.setdefault(key, [])
        if s is not None:
            spans[key].append((s, e, label))
    return spans


# ----------------------------------------------------------------------------- Dagster asset
import dagster as dg  # noqa: E402
from dagster import AssetExecutionContext  # noqa: E402

from pipelines.batches import ingest_batches, mark_processed  # noqa: E402
from pipelines.metadata import counts_by, frame_metadata  # noqa: E402
from pipelines.resources import NewsEtlSettings  # noqa: E402
from pipelines.settings import Settings  # noqa: E402
from pipelines.versions import current_versions, model_version  # noqa: E402


@dg.asset(group_name="extract", partitions_def=ingest_batches, code_version=model_version(Settings.from_env().spacy_model),
          description="spaCy NER mentions over the body sections of the batch's accepted (well-dated) articles.")
def extracted_mentions(context: AssetExecutionContext, news: NewsEtlSettings, dated_articles: pl.DataFrame,
                       sections: pl.DataFrame) -> dg.Output[pl.DataFrame]:
    s = news.settings()
    version = model_version(s.spacy_model)
    body = sections.filter((pl.col("kind") == "body") & pl.col("article_id").is_in(dated_articles["article_id"].implode()))
    span_file = frame_path(s.staging_dir, "ner_spans", context.partition_key)
    known = read_spans(span_file, version)
    context.log.info(f"NER over the body sections of {dated_articles.height} articles with {s.spacy_model} "
                     f"(n_process={s.n_process}; {len(known)} section texts kept from this batch's last run)")
    mentions, spans = extract_mentions(body, s.spacy_model, n_process=s.n_process, known=known)
    mentions = mentions.with_columns(model_version=pl.lit(version))
    texts, reused = len(spans), sum(1 for key in spans if key in known)
    write_spans(span_file, spans, version)
    mark_processed(s, context.partition_key, current_versions(s.spacy_model))
    return dg.Output(mentions, metadata={
        **frame_metadata(mentions, ["text", "label", "article_id"]),
        "mentions_by_label": dg.MetadataValue.json(counts_by(mentions, "label")),
        "sections_tagged": body.height,
        "texts_tagged_again": texts - reused,
    })
