"""Dedupe: group reports of the same story under one `story_id`.

Two signals, each through MinHash LSH so that candidate pairs are found without comparing
every pair: word shingles catch copies and light edits; names, reduced to their consonant
skeleton so that transliterations meet (Orlov/Orlow), together with distinctive numbers
written either way (350,000 / 350.000) survive rewording and translation, where shingles do not.
Reports of the same kind of event share vocabulary and often names, but rarely their figures.
"""

import functools
import hashlib
import re

import polars as pl

from assets.resolve import normalise, skeleton

NUM_PERM = 64
MINHASH_SCHEME = "affine32"  # datasketch's default, named so stored signatures are read back under the same scheme
SHINGLE = 4
SHINGLE_THRESHOLD = 0.45  # estimated Jaccard of word 4-shingles: copies and light edits
NAME_THRESHOLD = 0.30     # Jaccard of name skeletons: rewrites and translations ...
MIN_SHARED_NUMBERS = 2    # ... that also keep at least two distinctive figures
SIGNATURE_MARGIN = 0.25   # a MinHash estimate this far below the shingle threshold skips the exact comparison

FEATURE_SCHEMA = {
    "article_id": pl.String, "shingle_hashes": pl.List(pl.UInt32), "names": pl.List(pl.String),
    "numbers": pl.List(pl.String), "shingle_signature": pl.List(pl.UInt64), "name_signature": pl.List(pl.UInt64),
}

WORD = re.compile(r"\w+", re.UNICODE)
NUMBER = re.compile(r"\b\d[\d,.]*\d\b|\b\d\b")
NAME = re.compile(r"\b[A-Z][a-z]{2,}(?:[-'’][A-Za-z]+)?\b")
COMMON_CAPITALS = frozenset(
    "The This That These Those There Their They Then When While After Before But And For From With Without Many Some Most "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August September "
    "October November December He She It We You His Her Its Our Your Mr Mrs Ms Dr In On At As If Since Although However "
    "Yet Still Also According Asked Even Other Another Two Three Four Five Six Seven Eight Nine Ten One Last Next".split()
)


def shingles(text: str) -> set[str]:
    words = [w.lower() for w in WORD.findall(text)]
    return {" ".join(words[i:i + SHINGLE]) for i in range(max(len(words) - SHINGLE + 1, 1))} if words else set()


def numbers(text: str) -> set[str]:
    """Figures that identify a report: thousands separators dropped, decimal commas as points;
    single digits and years left out (every report has them)."""
    out = set()
    for n in NUMBER.findall(text):
        n = re.sub(r"[.,](?=\d{3}\b)", "", n).replace(",", ".")
        if len(n) > 1 and not re.fullmatch(r"(?:19|20)\d\d", n):
            out.add(n)
    return out


@functools.lru_cache(maxsize=65536)
def _name_skeleton(word: str) -> str:
    return skeleton(normalise(word))


def name_skeletons(text: str) -> set[str]:
    return {_name_skeleton(w) for w in NAME.findall(text) if w not in COMMON_CAPITALS}


def _minhash(tokens: set[str]):
    from datasketch import MinHash

    m = MinHash(num_perm=NUM_PERM, seed=7, scheme=MINHASH_SCHEME)
    for t in tokens:
        m.update(t.encode())
    return m


def _token_hash(token: str) -> int:
    """A stable 32-bit hash (Python's own `hash` changes between processes)."""
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=4).digest(), "little")


def story_features(articles: pl.DataFrame) -> pl.DataFrame:
    """What dedupe compares, per article: hashed word shingles, name skeletons, distinctive figures and
    the MinHash signatures of the first two. Computed once per batch; the corpus-wide step only compares."""
    rows = []
    for article_id, body in articles.select("article_id", "body").iter_rows():
        sh, names = shingles(body), name_skeletons(body)
        rows.append((article_id, sorted({_token_hash(t) for t in sh}), sorted(names), sorted(numbers(body)),
                     _minhash(sh).hashvalues.tolist(), _minhash(names).hashvalues.tolist()))
    return pl.DataFrame(rows, schema=FEATURE_SCHEMA, orient="row")


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


class _LazySets:
    """`series[i]` as a set, built on first use and kept."""

    def __init__(self, series: pl.Series):
        self.series, self.made = series, {}

    def __getitem__(self, i: int) -> set:
        if i not in self.made:
            self.made[i] = set(self.series[i].to_list())
        return self.made[i]


def same_story_pairs(features: pl.DataFrame) -> list[tuple[str, str, str]]:
    """(article_a, article_b, why) for every pair of `story_features` rows judged to report the same story."""
    import numpy as np
    from datasketch import MinHash, MinHashLSH

    ids = features["article_id"].to_list()
    shingle_hashes = features["shingle_hashes"]  # ~600 per article: made into sets only for candidate pairs
    has_shingles = (shingle_hashes.list.len() > 0).to_list()
    sh = _LazySets(shingle_hashes)
    names = [set(n) for n in features["names"].to_list()]
    nums = [set(n) for n in features["numbers"].to_list()]
    shingle_signatures = np.array(features["shingle_signature"].to_list(), dtype=np.uint64).reshape(len(ids), -1)
    signatures = zip(shingle_signatures, features["name_signature"].to_list())
    lsh_sh = MinHashLSH(threshold=SHINGLE_THRESHOLD, num_perm=NUM_PERM)
    lsh_names = MinHashLSH(threshold=NAME_THRESHOLD * 0.8, num_perm=NUM_PERM)  # candidates only: a looser net
    candidates: set[tuple[int, int]] = set()
    template = _minhash(set())  # its permutations, shared rather than drawn again for every signature
    for i, (sig_sh, sig_names) in enumerate(signatures):
        if not has_shingles[i]:
            continue
        m_sh, m_names = (MinHash(num_perm=NUM_PERM, scheme=MINHASH_SCHEME, permutations=template.permutations,
                                 hashvalues=np.asarray(sig, dtype=np.uint64)) for sig in (sig_sh, sig_names))
        for j in lsh_sh.query(m_sh) + lsh_names.query(m_names):
            candidates.add((j, i))
        lsh_sh.insert(i, m_sh)
        lsh_names.insert(i, m_names)
    pairs = []
    for i, j in sorted(candidates):
        # exact shingle Jaccard only where the signatures do not already rule it out (4 standard errors)
        estimate = float(np.mean(shingle_signatures[i] == shingle_signatures[j]))
        s = jaccard(sh[i], sh[j]) if estimate >= SHINGLE_THRESHOLD - SIGNATURE_MARGIN else 0.0
        n = jaccard(names[i], names[j])
        shared_numbers = len(nums[i] & nums[j])
        if s >= SHINGLE_THRESHOLD:
            pairs.append((ids[i], ids[j], f"shingle jaccard {s:.2f}"))
        elif n >= NAME_THRESHOLD and shared_numbers >= MIN_SHARED_NUMBERS:
            pairs.append((ids[i], ids[j], f"name jaccard {n:.2f}, {shared_numbers} shared figures"))
    return pairs


def assign_stories(articles: pl.DataFrame, features: pl.DataFrame | None = None) -> tuple[pl.DataFrame, list[tuple[str, str, str]]]:
    """Add `story_id` (the smallest article_id of each cluster) and date undated articles from dated duplicates.
    `features` are the articles' `story_features` (computed here when not given)."""
    features = story_features(articles) if features is None else features
    pairs = same_story_pairs(articles.select("article_id").join(features, on="article_id", how="left", maintain_order="left"))
    parent = {a: a for a in articles["article_id"].to_list()}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, _ in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    out = articles.with_columns(story_id=pl.col("article_id").replace_strict(
        {a: find(a) for a in parent}, return_dtype=pl.String))
    dated = (
        out.filter(pl.col("date_status") == "ok")
        .group_by("story_id").agg(pl.col("published_date").min().alias("story_date"))
    )
    out = (
        out.join(dated, on="story_id", how="left")
        .with_columns(
            _from_dup=pl.col("story_date").is_not_null() & pl.col("date_status").is_in(["inferred", "undated"])
            & (pl.col("published_date").is_null() | (pl.col("story_date") >= pl.col("published_date")))
        )
        .with_columns(
            published_date=pl.when("_from_dup").then("story_date").otherwise("published_date"),
            date_source=pl.when("_from_dup").then(pl.lit("duplicate")).otherwise("date_source"),
            date_status=pl.when("_from_dup").then(pl.lit("inferred")).otherwise("date_status"),
            date_precision=pl.when("_from_dup").then(pl.lit("day")).otherwise("date_precision"),
        )
        .drop("story_date", "_from_dup")
    )
    return out, pairs



# ----------------------------------------------------------------------------- Dagster asset
import dagster as dg  # noqa: E402
from dagster import AssetExecutionContext  # noqa: E402

from assets.common import current_file_ids, keep_current  # noqa: E402
from assets.load import acquire_refresh_lock  # noqa: E402
from pipelines.batches import after_batches, ingest_batches  # noqa: E402
from pipelines.metadata import frame_metadata  # noqa: E402
from pipelines.resources import NewsEtlSettings  # noqa: E402
from pipelines.versions import rules_version  # noqa: E402


@dg.asset(group_name="dedupe", partitions_def=ingest_batches, code_version=rules_version(),
          description="Per batch: what dedupe compares for each accepted article (hashed shingles, name skeletons, "
                      "figures, MinHash signatures), so the corpus-wide step only compares.")
def story_signatures(dated_articles: pl.DataFrame) -> dg.Output[pl.DataFrame]:
    features = story_features(dated_articles)
    return dg.Output(features, metadata={"dagster/row_count": features.height})



@dg.asset(group_name="dedupe", automation_condition=after_batches,
          ins={"raw_files": dg.AssetIn(metadata={"columns": ["file_id", "path", "batch_id"]}),  # not the bytes
               "dated_articles": dg.AssetIn(), "story_signatures": dg.AssetIn()},
          description="Every batch's accepted articles, current versions only, with `story_id`: "
                      "near-duplicate and translated reports of one story share it.")
def articles(context: AssetExecutionContext, news: NewsEtlSettings, raw_files: pl.DataFrame,
             dated_articles: pl.DataFrame, story_signatures: pl.DataFrame) -> dg.Output[pl.DataFrame]:
    # The corpus-wide steps share one set of staging files: held until this run's load ends.
    acquire_refresh_lock(news.settings(), owner=f"run {context.run_id}", on_wait=context.log.warning)
    current = keep_current(dated_articles, current_file_ids(raw_files), ["article_id"])
    out, pairs = assign_stories(current, story_signatures.unique("article_id", keep="first", maintain_order=True))
    for a, b, why in pairs:
        context.log.info(f"same story: {a[:12]} ~ {b[:12]} ({why})")
    return dg.Output(out, metadata={
        **frame_metadata(out, ["file_name", "title", "story_id", "published_date", "date_source"]),
        "stories": out["story_id"].n_unique(),
        "batches": out["batch_id"].n_unique(),
        "duplicate_pairs": len(pairs),
    })
