"""`make lexicon`: learn the clean stage's spam lexicon from the labelled tune split.

Each token's log-odds of appearing in a spam line rather than a body line (Laplace-smoothed), kept
only for tokens found in at least `MIN_ARTICLES` tune articles, so the lexicon learns the language
of adverts and scam mail, not the names in one article. The held-out split is never read.
Writes `assets/spam_lexicon.json`; the same labels always give the same file.

Then prints out-of-fold figures: the tune split in `FOLDS` folds by article, each fold cleaned with a
lexicon learned from the other folds, against the same folds cleaned without a lexicon. These are the
figures to choose the clean stage's weights by, since the in-sample tune figures flatter the lexicon.
"""
import hashlib
import json
import math
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

import polars as pl

from pipelines.evaluate import EVAL_LABELS as LABELS, format_table, run_stages, score, split_labels
from pipelines.settings import REPO_ROOT

MIN_ARTICLES = 3
SMOOTHING = 1.0
FOLDS = 5
CV_METRICS = ["articles", "spam_precision", "spam_recall", "body_lines_lost"]


def tune_lines(articles: dict[str, dict]) -> list[tuple[str, str, bool]]:
    """(article key, line, is spam) for every spam and body line of the tune split, except a comment's name and
    time line: a spam comment's is spam only by the company it keeps, and would teach that a time stamp sells."""
    from assets.clean import is_comment_signature

    return [(key, line, kind == "spam") for key, v in articles.items() if v["split"] == "tune"
            for line, kind in v["lines"].items() if kind in ("spam", "body") and not is_comment_signature(line)]


def learn(lines: list[tuple[str, str, bool]]) -> dict[str, float]:
    from assets.clean import lexical_tokens

    counts = {True: Counter(), False: Counter()}
    articles_with: dict[str, set[str]] = {}
    for key, line, spam in lines:
        tokens = lexical_tokens(line)
        counts[spam].update(tokens)
        for t in set(tokens):
            articles_with.setdefault(t, set()).add(key)
    vocab = sorted(t for t, keys in articles_with.items() if len(keys) >= MIN_ARTICLES)
    totals = {c: sum(counts[c][t] for t in vocab) + SMOOTHING * len(vocab) for c in (True, False)}
    return {t: round(math.log((counts[True][t] + SMOOTHING) / totals[True])
                     - math.log((counts[False][t] + SMOOTHING) / totals[False]), 3) for t in vocab}


def fold_of(key: str) -> int:
    """A fixed fold per article, from its name, so the folds do not move when articles are added."""
    return int(hashlib.md5(key.encode()).hexdigest(), 16) % FOLDS


def cross_validate(articles: dict[str, dict]) -> dict[str, dict]:
    """Out-of-fold clean figures on the tune split, with each fold's own lexicon and with none."""
    from assets.clean import lexicon_in_use

    labels = split_labels(articles, "tune")
    folds = {f: [lab for lab in labels if fold_of(f"tune/{lab.key}") == f] for f in range(FOLDS)}
    learned = {f: learn(tune_lines({k: v for k, v in articles.items() if fold_of(k) != f})) for f in folds}
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for f, fold_labels in folds.items():
            (Path(tmp) / str(f)).mkdir()
            for lab in fold_labels:
                shutil.copy(LABELS.parent / "tune" / lab.key, Path(tmp) / str(f) / lab.key)
        for name, lexicons in (("with lexicon", learned), ("no lexicon", {f: {} for f in folds})):
            runs = []
            for f in folds:
                with lexicon_in_use(lexicons[f]):
                    runs.append(run_stages(Path(tmp) / str(f)))
            sections, evidence, mis_dated = zip(*runs)
            results[name] = score(labels, pl.concat(sections), pl.concat(evidence), set().union(*mis_dated))
    return results


def main() -> int:
    from assets.clean import LEXICON_FILE

    articles = json.loads(LABELS.read_text())["articles"]
    lines = tune_lines(articles)
    log_odds = learn(lines)
    LEXICON_FILE.write_text(json.dumps({
        "about": "Spam-over-body log-odds of words and word pairs in the tune split's labelled lines "
                 f"(tokens in at least {MIN_ARTICLES} articles). Regenerate with `make lexicon`.",
        "lines": {"spam": sum(1 for *_, s in lines if s), "body": sum(1 for *_, s in lines if not s)},
        "log_odds": log_odds}, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{LEXICON_FILE.relative_to(REPO_ROOT)}: {len(log_odds)} tokens from {len(lines)} lines")
    print(f"\nTune split, out of fold ({FOLDS} folds by article; each fold's lexicon learned from the others)\n")
    print(format_table(cross_validate(articles), CV_METRICS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
