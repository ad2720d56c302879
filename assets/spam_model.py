"""The clean stage's learned spam model: gradient-boosted trees (LightGBM) over what the rules compute for each
body candidate, the rules' own score among it.

The rules weigh their evidence by hand, and each was chosen one at a time. The model, fitted by `make train` on
the tune split's out-of-fold features (each fold scored by a lexicon learned from the other folds), learns how far
to trust the rules and the lexicon together on text neither was tuned on: an on-topic advert the rules leave just
under the threshold, or the site's own box one rule took for an advert. Its probability becomes the section's
`spam_score`, which the clean suite's threshold judges; the rules' score stays as `rule_score`.
"""

import contextlib
import functools
from collections.abc import Sequence
from pathlib import Path

MODEL_FILE = Path(__file__).with_name("spam_model.txt")
MODEL_INFO_FILE = Path(__file__).with_name("spam_model.json")  # what the model was fitted on, and its out-of-fold figures

# one row per body candidate, in this order (the model file names them too)
FEATURES = (
    "rule_score", "promo_score", "offtopic_score", "header_score", "position_score",
    "promo_evidence",    # promotional evidence before the cap at 1.0 (itself capped at 4)
    "lexical_mean",      # the lexicon's shrunk mean log-odds of the block's words
    "lead_overlap",      # share of the block's words found in the article's lead
    "log_words", "is_paragraph", "is_headline",
    "prev_rule_score", "next_rule_score",  # -1 when the neighbour is not a body candidate
    "prev_lexical_mean", "next_lexical_mean",
    "prev_boilerplate", "next_boilerplate",
    "has_address", "links", "emails", "phones", "prices", "calls_to_action", "reader_pitches",
    "reported_speech", "quotation", "exclamations", "questions",
    "outside_article", "before_article",  # before the first or after the last plain paragraph
    "article_span_position",  # 0 at the first body paragraph, 1 at the last; -1 with no paragraph
    "site_words", "site_only_words",  # words of the site's name (and of those, the ones the story does not use)
    "widget_list", "advertised_list",  # in a list under a heading ("Recommended", "Sponsored"); one that says it advertises
    "vouched",  # the rules found it the article's own: its subjects' names or addresses, the site's words, the article
                # coming back after an advert, the writer's aside
    "foreign_addresses",  # links and emails not on the site's own domain
)

_override: list = []  # a model (or None, for the rules alone) that cross-validation scores with instead


@functools.lru_cache(maxsize=1)
def shipped_model():
    import lightgbm

    model = lightgbm.Booster(model_file=str(MODEL_FILE))
    if tuple(model.feature_name()) != FEATURES:
        raise ValueError(f"{MODEL_FILE.name} was fitted on other features than assets/spam_model.py computes; run make train")
    return model


@contextlib.contextmanager
def model_in_use(model):
    """Score with another model inside the block; None scores with the rules alone (how `make train` collects features)."""
    _override.append(model)
    try:
        yield
    finally:
        _override.pop()


def spam_probabilities(rows: Sequence[Sequence[float]]) -> list[float] | None:
    """The model's spam probability for each row of `FEATURES`, or None when the rules score alone."""
    model = _override[-1] if _override else shipped_model()
    if model is None or not rows:
        return None
    import numpy as np

    return model.predict(np.asarray(rows, dtype=np.float64), num_threads=1).tolist()
