"""`make train`: learn the clean stage's spam lexicon and spam model from the labelled tune split.

The lexicon: each token's log-odds of appearing in a spam line rather than a body line (Laplace-smoothed), kept
only for tokens found in at least `MIN_ARTICLES` tune articles, so it learns the language of adverts and scam mail,
not the names in one article.

The model (assets/spam_model.py): the tune split in `FOLDS` folds by article, each fold cleaned by the rules alone
with a lexicon learned from the other folds, gives every body candidate's features as the rules see text the lexicon
has not learned from; each is labelled spam or not from the labels, and LightGBM fits the model on them all.

Writes `assets/spam_lexicon.json`, `assets/spam_model.txt` and `assets/spam_model.json`; the same labels and rules
always give the same files. The held-out split is never read.

Then prints out-of-fold figures, each fold cleaned with a lexicon (and a model) fitted on the other folds only: the
rules and the model, the rules alone, and the rules with no lexicon. These are the figures to choose the clean
stage's rules and weights by, since the in-sample tune figures flatter anything learned.
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

from assets.spam_model import FEATURES, MODEL_FILE, MODEL_INFO_FILE, model_in_use
from pipelines.evaluate import EVAL_LABELS as LABELS, EVAL_NOW, label_matches, article_key, format_table, run_stages, score, split_labels
from pipelines.settings import REPO_ROOT

MIN_ARTICLES = 3
SMOOTHING = 1.0
FOLDS = 5
CV_METRICS = ["articles", "spam_precision", "spam_recall", "body_lines_lost"]
# small trees, many examples per leaf: chosen out of fold. At 1232 tune articles, 100 examples per leaf gave
# 0.978 / 0.953 against 0.975 / 0.948-0.950 for fewer leaves or a larger L2; other settings moved nothing past noise
MODEL_PARAMS = {"objective": "binary", "learning_rate": 0.05, "num_leaves": 15, "min_data_in_leaf": 100, "lambda_l2": 1.0,
                "deterministic": True, "force_col_wise": True, "num_threads": 1, "seed": 0, "verbose": -1}
MODEL_ROUNDS = 200


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


def tune_digest(articles: dict[str, dict]) -> str:
    """A digest of the tune split's labels: the model records the one it was fitted on."""
    tune = {k: v for k, v in articles.items() if v["split"] == "tune"}
    return hashlib.sha256(json.dumps(tune, sort_keys=True).encode()).hexdigest()[:16]


def labelled_features(landing: Path, articles: dict[str, dict]) -> tuple[list[list[float]], list[int]]:
    """The spam model's feature rows of the body candidates in the tune files under `landing`, cleaned by the rules
    alone, and whether each is spam by the labels (a block is spam when a spam line of its article is in it)."""
    from assets.clean import split_and_score
    from assets.stage import stage_files

    staged = stage_files(landing, "train", EVAL_NOW, 50 * 1024 * 1024)
    paths = dict(staged.raw_files.filter(pl.col("status") == "accepted").select("file_id", "path").iter_rows())
    with model_in_use(None):
        docs, _ = split_and_score(staged.raw_files)
    rows, spam = [], []
    for doc, info in docs:
        lines = articles[f"tune/{article_key(paths[info['file_id']], doc.article_id)}"]["lines"]
        for b in doc.blocks:
            kinds = {kind for line, kind in lines.items() if label_matches(line, b.text)}
            if b.features is not None and kinds:
                rows.append(b.features)
                spam.append(int("spam" in kinds))
    return rows, spam


def fit(rows: list[list[float]], spam: list[int]):
    import lightgbm
    import numpy as np

    data = lightgbm.Dataset(np.asarray(rows, dtype=np.float64), np.asarray(spam), feature_name=list(FEATURES))
    return lightgbm.train(MODEL_PARAMS, data, num_boost_round=MODEL_ROUNDS)


def main() -> int:
    from assets.clean import LEXICON_FILE, lexicon_in_use

    articles = json.loads(LABELS.read_text())["articles"]
    lines = tune_lines(articles)
    log_odds = learn(lines)
    LEXICON_FILE.write_text(json.dumps({
        "about": "Spam-over-body log-odds of words and word pairs in the tune split's labelled lines "
                 f"(tokens in at least {MIN_ARTICLES} articles). Regenerate with `make train`.",
        "lines": {"spam": sum(1 for *_, s in lines if s), "body": sum(1 for *_, s in lines if not s)},
        "log_odds": log_odds}, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{LEXICON_FILE.relative_to(REPO_ROOT)}: {len(log_odds)} tokens from {len(lines)} lines", flush=True)

    labels = split_labels(articles, "tune")
    folds = range(FOLDS)
    lexicons = {f: learn(tune_lines({k: v for k, v in articles.items() if fold_of(k) != f})) for f in folds}
    with tempfile.TemporaryDirectory() as tmp:
        landing = {f: Path(tmp) / str(f) for f in folds}
        for lab in labels:
            folder = landing[fold_of(f"tune/{lab.key}")]
            folder.mkdir(exist_ok=True)
            shutil.copy(LABELS.parent / "tune" / lab.key, folder / lab.key)
        features = {}
        for f in folds:
            with lexicon_in_use(lexicons[f]):
                features[f] = labelled_features(landing[f], articles)
        rows = [r for f in folds for r in features[f][0]]
        spam = [s for f in folds for s in features[f][1]]
        fit(rows, spam).save_model(str(MODEL_FILE))
        print(f"{MODEL_FILE.relative_to(REPO_ROOT)}: {MODEL_ROUNDS} trees over {len(FEATURES)} features of "
              f"{len(rows)} body candidates ({sum(spam)} spam)", flush=True)

        fold_models = {f: fit([r for g in folds if g != f for r in features[g][0]],
                              [s for g in folds if g != f for s in features[g][1]]) for f in folds}
        results = {}
        for name, lexicon, model in (("rules and model", lexicons, fold_models), ("rules alone", lexicons, None),
                                     ("rules, no lexicon", None, None)):
            runs = []
            for f in folds:
                with lexicon_in_use(lexicon[f] if lexicon else {}), model_in_use(model[f] if model else None):
                    runs.append(run_stages(landing[f]))
            sections, evidence, mis_dated = zip(*runs)
            results[name] = score(labels, pl.concat(sections), pl.concat(evidence), set().union(*mis_dated))
    MODEL_INFO_FILE.write_text(json.dumps({
        "about": "What assets/spam_model.txt was fitted on, and its out-of-fold figures. Regenerate with `make train`.",
        "tune_labels": tune_digest(articles), "features": list(FEATURES), "params": MODEL_PARAMS, "rounds": MODEL_ROUNDS,
        "body_candidates": {"spam": sum(spam), "other": len(spam) - sum(spam)},
        "out_of_fold": {name: {m: round(r[m], 4) for m in CV_METRICS[1:]} for name, r in results.items()},
    }, indent=1) + "\n", encoding="utf-8")
    print(f"\nTune split, out of fold ({FOLDS} folds by article; each fold's lexicon and model fitted on the others)\n")
    print(format_table(results, CV_METRICS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
