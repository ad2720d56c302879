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

import numpy as np
import polars as pl

from assets.resolve import normalise, skeleton
from pipelines.staging import StepMemo

NUM_PERM = 64
MINHASH_SCHEME = "affine32"  # datasketch's default, named so stored signatures are read back under the same scheme
SHINGLE = 4
SHINGLE_THRESHOLD = 0.45  # estimated Jaccard of word 4-shingles: copies and light edits
NAME_THRESHOLD = 0.30     # Jaccard of name skeletons: rewrites and translations ...
MIN_SHARED_NUMBERS = 2    # ... that also keep at least two distinctive figures
SIGNATURE_MARGIN = 0.25   # a MinHash estimate this far below the shingle threshold skips the exact comparison
CANDIDATE_CHUNK = 10_000  # candidate pairs judged at once (memory: ~5 KiB each, for their name and figure lists)

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


@functools.lru_cache(maxsize=1)
def _permutations():
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=7, scheme=MINHASH_SCHEME).permutations


def _minhash(tokens: set[str]):
    """The MinHash of `tokens`, hashed in one vectorised batch with permutations drawn once per process."""
    from datasketch import MinHash

    m = MinHash(num_perm=NUM_PERM, seed=7, scheme=MINHASH_SCHEME, permutations=_permutations())
    m.update_batch([t.encode() for t in tokens])
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


@functools.lru_cache(maxsize=4)
def _lsh_bands(threshold: float) -> tuple[int, int]:
    """(bands, rows per band) that datasketch's MinHash LSH picks for `threshold` at NUM_PERM."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return lsh.b, lsh.r


def _band_candidates(signatures: np.ndarray, eligible: np.ndarray, is_new: np.ndarray, threshold: float) -> pl.DataFrame:
    """Pairs (lo, hi) of row indices whose MinHash `signatures` agree on every value of at least one
    LSH band, as MinHash LSH would propose them; only pairs with a row in `is_new` are proposed."""
    bands, rows = _lsh_bands(threshold)
    index = np.flatnonzero(eligible)
    found = []
    for band in range(bands):
        cols = {f"v{k}": signatures[index, band * rows + k] for k in range(rows)}
        frame = pl.DataFrame({"row": index, **cols})
        new = frame.filter(pl.Series(is_new[index]))
        pairs = new.join(frame, on=list(cols), suffix="_other").filter(pl.col("row") != pl.col("row_other"))
        found.append(pairs.select(lo=pl.min_horizontal("row", "row_other"), hi=pl.max_horizontal("row", "row_other")))
    return pl.concat(found).unique()


def _judge(features: pl.DataFrame, shingle_sigs: np.ndarray, lo: np.ndarray, hi: np.ndarray,
           ids: list[str]) -> list[tuple[str, str, str]]:
    """The candidate pairs (lo[k], hi[k]) that report the same story, with why."""
    # an exact shingle Jaccard only where the signatures do not already rule it out (4 standard errors)
    estimate = (shingle_sigs[lo] == shingle_sigs[hi]).mean(axis=1)
    overlap = pl.DataFrame({"a": features["names"].gather(lo), "b": features["names"].gather(hi),
                            "x": features["numbers"].gather(lo), "y": features["numbers"].gather(hi)}).select(
        names=pl.col("a").list.set_intersection("b").list.len() / pl.col("a").list.set_union("b").list.len(),
        shared_numbers=pl.col("x").list.set_intersection("y").list.len())
    name_jaccard, shared_numbers = overlap["names"].fill_nan(0.0).fill_null(0.0).to_numpy(), overlap["shared_numbers"].to_numpy()
    close = estimate >= SHINGLE_THRESHOLD - SIGNATURE_MARGIN
    pairs = []
    for k in np.flatnonzero(close | ((name_jaccard >= NAME_THRESHOLD) & (shared_numbers >= MIN_SHARED_NUMBERS))):
        i, j = int(lo[k]), int(hi[k])
        s = jaccard(set(features["shingle_hashes"][i]), set(features["shingle_hashes"][j])) if close[k] else 0.0
        if s >= SHINGLE_THRESHOLD:
            pairs.append((ids[i], ids[j], f"shingle jaccard {s:.2f}"))
        elif name_jaccard[k] >= NAME_THRESHOLD and shared_numbers[k] >= MIN_SHARED_NUMBERS:
            pairs.append((ids[i], ids[j], f"name jaccard {name_jaccard[k]:.2f}, {shared_numbers[k]} shared figures"))
    return pairs


def same_story_pairs(features: pl.DataFrame, memo: StepMemo | None = None) -> list[tuple[str, str, str]]:
    """(article_a, article_b, why) for every pair of `story_features` rows judged to report the same story,
    in row order. With a `memo`, pairs between articles judged in an earlier run are reused, and only
    pairs with a new article are proposed and judged."""
    memo = memo or StepMemo(None)
    ids = features["article_id"].to_list()
    position = {a: i for i, a in enumerate(ids)}
    known, judged = memo.read("story_pairs"), memo.read("judged_articles")
    known_ids = set(judged["article_id"].to_list()) if known is not None and judged is not None else set()
    is_new = np.array([a not in known_ids for a in ids], dtype=bool)
    eligible = (features["shingle_hashes"].list.len() > 0).fill_null(False).to_numpy()
    shingle_sigs = features["shingle_signature"].explode().to_numpy().astype(np.uint64).reshape(len(ids), NUM_PERM)
    name_sigs = features["name_signature"].explode().to_numpy().astype(np.uint64).reshape(len(ids), NUM_PERM)
    candidates = (pl.concat([_band_candidates(shingle_sigs, eligible, is_new, SHINGLE_THRESHOLD),
                             _band_candidates(name_sigs, eligible, is_new, NAME_THRESHOLD * 0.8)])  # names: a looser net
                  .unique().sort("lo", "hi"))
    pairs = [(a, b, why) for a, b, why in (known.rows() if known is not None else []) if a in position and b in position]
    for chunk in candidates.iter_slices(CANDIDATE_CHUNK):  # a first run proposes every pair at once: judged in slices
        pairs += _judge(features, shingle_sigs, chunk["lo"].to_numpy(), chunk["hi"].to_numpy(), ids)
    pairs.sort(key=lambda p: (position[p[0]], position[p[1]]))
    memo.write("story_pairs", pl.DataFrame(pairs, schema={"a": pl.String, "b": pl.String, "why": pl.String}, orient="row"))
    memo.write("judged_articles", pl.DataFrame({"article_id": ids}))
    return pairs


def assign_stories(articles: pl.DataFrame, features: pl.DataFrame | None = None,
                   memo: StepMemo | None = None) -> tuple[pl.DataFrame, list[tuple[str, str, str]]]:
    """Add `story_id` (the smallest article_id of each cluster) and date undated articles from dated duplicates.
    `features` are the articles' `story_features` (computed here when not given); `memo` see `same_story_pairs`."""
    features = story_features(articles) if features is None else features
    pairs = same_story_pairs(articles.select("article_id").join(features, on="article_id", how="left", maintain_order="left"), memo)
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
    memo = StepMemo.beside(news.settings().staging_dir, "dedupe", rules_version())
    out, pairs = assign_stories(current, story_signatures.unique("article_id", keep="first", maintain_order=True), memo)
    for a, b, why in pairs:
        context.log.info(f"same story: {a[:12]} ~ {b[:12]} ({why})")
    return dg.Output(out, metadata={
        **frame_metadata(out, ["file_name", "title", "story_id", "published_date", "date_source"]),
        "stories": out["story_id"].n_unique(),
        "batches": out["batch_id"].n_unique(),
        "duplicate_pairs": len(pairs),
    })
