"""`make lexicon`: learn the clean stage's spam lexicon from the labelled tune split.

Each token's log-odds of appearing in a spam line rather than a body line (Laplace-smoothed), kept
only for tokens found in at least `MIN_ARTICLES` tune articles, so the lexicon learns the language
of adverts and scam mail, not the names in one article. The held-out split is never read.
Writes `assets/spam_lexicon.json`; the same labels always give the same file.
"""
import json
import math
import sys
from collections import Counter

from pipelines.evaluate import EVAL_LABELS as LABELS
from pipelines.settings import REPO_ROOT

MIN_ARTICLES = 3
SMOOTHING = 1.0


def tune_lines(articles: dict[str, dict]) -> list[tuple[str, str, bool]]:
    """(article key, line, is spam) for every spam and body line of the tune split."""
    return [(key, line, kind == "spam") for key, v in articles.items() if v["split"] == "tune"
            for line, kind in v["lines"].items() if kind in ("spam", "body")]


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


def main() -> int:
    from assets.clean import LEXICON_FILE

    lines = tune_lines(json.loads(LABELS.read_text())["articles"])
    log_odds = learn(lines)
    LEXICON_FILE.write_text(json.dumps({
        "about": "Spam-over-body log-odds of words and word pairs in the tune split's labelled lines "
                 f"(tokens in at least {MIN_ARTICLES} articles). Regenerate with `make lexicon`.",
        "lines": {"spam": sum(1 for *_, s in lines if s), "body": sum(1 for *_, s in lines if not s)},
        "log_odds": log_odds}, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{LEXICON_FILE.relative_to(REPO_ROOT)}: {len(log_odds)} tokens from {len(lines)} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
