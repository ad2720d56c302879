"""Extract: spaCy named-entity recognition over the body sections of accepted articles.

Only the NER component runs (the model's other components are excluded), in batches with
`nlp.pipe`. Identical section texts (duplicate reports) are tagged once.
Kept labels: people, organisations, places and facilities, groups and named events;
dates, numbers, money and the like are dropped (the date stage handles dates).
"""

import functools

import polars as pl

KEPT_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT")
NON_NER_COMPONENTS = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
MENTION_SCHEMA = {
    "article_id": pl.String,
    "section_ordinal": pl.Int32,
    "start_char": pl.Int32,
    "end_char": pl.Int32,
    "text": pl.String,
    "label": pl.String,
}


@functools.lru_cache(maxsize=2)
def load_model(name: str):
    import spacy

    try:
        return spacy.load(name, exclude=NON_NER_COMPONENTS)
    except OSError as exc:
        raise RuntimeError(f"spaCy model {name!r} is not installed; run `make install` (it is pinned in requirements.lock)") from exc


def extract_mentions(body_sections: pl.DataFrame, model_name: str, n_process: int = 1, batch_size: int = 64) -> pl.DataFrame:
    """One row per entity mention; `text` equals `section.text[start_char:end_char]`."""
    nlp = load_model(model_name)
    texts = body_sections["text"].unique(maintain_order=True).to_list()
    found: dict[str, list[tuple[int, int, str, str]]] = {}
    for text, doc in zip(texts, nlp.pipe(texts, batch_size=batch_size, n_process=n_process)):
        found[text] = [(e.start_char, e.end_char, e.text, e.label_) for e in doc.ents if e.label_ in KEPT_LABELS]
    rows = [
        (article_id, ordinal, s, e, t, label)
        for article_id, ordinal, text in body_sections.select("article_id", "ordinal", "text").iter_rows()
        for s, e, t, label in found[text]
    ]
    return pl.DataFrame(rows, schema=MENTION_SCHEMA, orient="row")


# ----------------------------------------------------------------------------- Dagster asset
import dagster as dg  # noqa: E402
from dagster import AssetExecutionContext  # noqa: E402

from pipelines.metadata import counts_by, frame_metadata  # noqa: E402
from pipelines.resources import NewsEtlSettings  # noqa: E402


@dg.asset(group_name="extract", description="spaCy NER mentions over the body sections of accepted articles.")
def extracted_mentions(context: AssetExecutionContext, news: NewsEtlSettings, articles: pl.DataFrame,
                       sections: pl.DataFrame) -> dg.Output[pl.DataFrame]:
    s = news.settings()
    body = sections.filter((pl.col("kind") == "body") & pl.col("article_id").is_in(articles["article_id"].implode()))
    context.log.info(f"NER over {body.height} sections with {s.spacy_model} (n_process={s.n_process})")
    mentions = extract_mentions(body, s.spacy_model, n_process=s.n_process)
    return dg.Output(mentions, metadata={
        **frame_metadata(mentions, ["text", "label", "article_id"]),
        "mentions_by_label": dg.MetadataValue.json(counts_by(mentions, "label")),
        "sections_tagged": body.height,
    })
