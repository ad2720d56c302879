"""Resolve: one entity per real-world thing.

1. Normalise each mention to a key: Unicode and apostrophe variants, transliteration doublings
   (Kata'ib/Kataib), honorifics and titles, possessives, a leading "the" or "al-".
2. The alias file (`warehouse/aliases.csv`) maps known forms to a canonical name.
3. Within one article, a surname links to the full name introduced there, and an acronym to
   the name it abbreviates ("Popular Mobilization Units (PMU)", or matching initials).
4. Across articles, keys of the same label group join when they are spelling variants:
   rapidfuzz similarity above a threshold, or, for people, the same consonant skeleton per name
   (Soleimani/Suleimani, Mounes/Mu'nis); a lone surname joins the one full name that carries it;
   an organisation prefixed by a demonym ("Iranian X") joins the unprefixed X. Every such join
   also needs shared context: the two keys' articles mention some third entity in common, so
   two unrelated people with close names stay apart.
"""

import csv
import functools
import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import polars as pl

from pipelines.staging import StepMemo
from warehouse import SQL_DIR

ALIAS_FILE = SQL_DIR / "aliases.csv"
FUZZY_THRESHOLD = 90
SURNAME_THRESHOLD = 80
LONE_SURNAME_THRESHOLD = 70
TITLES = (
    "mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "gen", "general", "lt", "col", "colonel", "maj", "major",
    "capt", "captain", "sgt", "adm", "admiral", "president", "vice president", "prime minister", "minister", "secretary",
    "senator", "sen", "rep", "representative", "gov", "governor", "mayor", "judge", "justice", "king", "queen", "prince",
    "princess", "sheikh", "ayatollah", "imam", "pope", "chancellor", "ambassador", "commander", "air force", "lieutenant",
    "chief", "spokesman", "spokeswoman", "deputy", "councillor", "councilor", "mp", "lord", "lady", "rev", "bishop",
)
TITLE_PREFIX = re.compile(r"^(?:(?:%s)\.?\s+)+" % "|".join(sorted((re.escape(t) for t in TITLES), key=len, reverse=True)))
PARTICLES = ("al", "el", "ul", "bin", "ibn", "abu", "de", "van", "von", "der", "da", "di")
ACRONYM_INTRO = re.compile(r"\b((?:[A-Z][\w'’-]*\s+){1,7}?(?:[A-Z][\w'’-]*))\s*\(([A-Z][A-Z.]{1,9}s?)\)")
# words that make a name an organisation whatever the model said (small models often tag militias as people);
# kataib, harakat, jaish, liwa, saraya, asaib and hashd are the Arabic for brigades, movement, army and the like
ORG_WORDS = frozenset(
    "hezbollah hizbollah brigade brigades forces force units corps army militia militias party ministry council committee "
    "union authority agency company bank group university institute association league federation organization "
    "organisation commission department court parliament police guard guards front movement network networks coalition "
    "times post press news kataib harakat jaish liwa saraya asaib hashd".split()
)
LABEL_GROUP = {"GPE": "PLACE", "LOC": "PLACE", "FAC": "FAC", "ORG": "ORG", "NORP": "NORP", "PERSON": "PERSON", "EVENT": "EVENT"}
# romanisations of one sound that vary between outlets (Kadhim/Kazem, Qasem/Kasem, Mounes/Munis)
SOUND_FOLDS = (("dh", "z"), ("kh", "k"), ("gh", "g"), ("ph", "f"), ("ou", "u"), ("q", "k"))
NAME_ELEMENTS = {"abdel": "abd", "abdul": "abd", "abdal": "abd", "abed": "abd"}


@functools.lru_cache(maxsize=1)
def org_words() -> frozenset[str]:
    return frozenset(normalise(w) for w in ORG_WORDS)


@functools.lru_cache(maxsize=1 << 18)  # mention texts repeat: a corpus has far fewer spellings than mentions
def normalise(name: str) -> str:
    """A spelling-insensitive key: 'Kata’ib Hezbollah' and 'Kataib Hezbollah' meet; 'Mr. al-Kadhimi' → 'kadhimi'."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = re.sub(r"[’‘`´']s\b", "", s)            # possessive
    s = re.sub(r"[’‘`´'ʼʻ]", "", s)              # apostrophes inside names
    s = re.sub(r"[^a-z0-9]+", " ", s).strip()
    s = re.sub(r"^the\s+", "", s)
    s = TITLE_PREFIX.sub("", s).strip()
    s = re.sub(r"^(?:al|el)\s+(?=\S)", "", s)    # al-Sudani / Sudani
    s = re.sub(r"kh(?=a)", "k", s)               # common transliteration doubling (Khataib/Kataib)
    s = re.sub(r"([a-z])\1", r"\1", s)           # doubled letters (Qassem/Qasem)
    return s


def name_tokens(key: str) -> list[str]:
    return [t for t in key.split() if t not in PARTICLES]


def surname(key: str) -> str:
    tokens = name_tokens(key)
    return tokens[-1] if tokens else key


def skeleton(token: str) -> str:
    """First letter, the consonants, and the last letter: vowels inside a name vary by romanisation,
    a final vowel often marks a different name (Varga/Vargo)."""
    t = NAME_ELEMENTS.get(token, token)
    for a, b in SOUND_FOLDS:
        t = t.replace(a, b)
    if len(t) <= 2:
        return t
    return re.sub(r"(.)\1+", r"\1", t[0] + re.sub(r"[aeiouyhw]", "", t[1:-1]) + t[-1])


def name_signature(key: str) -> tuple[str, ...]:
    return tuple(skeleton(t) for t in name_tokens(key))


def same_person_shape(a: str, b: str) -> bool:
    """Fuzzy-close person names must also agree on the surname and on the first name's initial
    (Mohammed/Muhammad pass; Anna/Hanna do not)."""
    from rapidfuzz import fuzz

    return fuzz.ratio(surname(a), surname(b)) >= SURNAME_THRESHOLD and a[:1] == b[:1]


def looks_like_person(key: str) -> bool:
    """Arabic-style full names the model may call organisations: 'abu baqir al saedi'."""
    tokens = key.split()
    return (len(tokens) >= 3 and not org_words() & set(tokens)
            and (tokens[0] in ("abu", "umm", "bin", "ibn") or any(t in ("al", "bin", "ibn") for t in tokens[1:-1])))


def acronym_of(key: str) -> str:
    return "".join(t[0] for t in key.split() if t not in ("of", "and", "for", "the", "in", "de", "al"))


def acronym_expansion(long_form: str, acronym: str) -> str | None:
    """The tail of `long_form` whose initials spell `acronym` ("Gen. Popular Mobilization Units", "PMU"
    → "Popular Mobilization Units"), or None."""
    letters = normalise(acronym.removesuffix("s") if acronym[:-1].isupper() else acronym).replace(" ", "")
    words = long_form.split()
    for start in range(len(words)):
        tail = " ".join(words[start:])
        if acronym_of(normalise(tail)) == letters:
            return tail
    return None


def read_alias_rows(path: Path = ALIAS_FILE) -> list[tuple[str, str, str | None]]:
    """(alias, canonical name, label or None) for each row of the alias file."""
    if not path.exists():
        return []
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    return [(row["alias"].strip(), row["canonical_name"].strip(), (row.get("label") or "").strip() or None)
            for row in csv.DictReader(lines) if row.get("alias") and row.get("canonical_name")]


def load_aliases(path: Path = ALIAS_FILE) -> dict[str, tuple[str, str | None]]:
    """normalised alias → (canonical name, label or None)."""
    return {normalise(alias): (canonical, label) for alias, canonical, label in read_alias_rows(path)}


def _article_links(mentions: list[tuple[str, str]], body: str) -> dict[str, str]:
    """Within one article: short key → the full key it stands for. `mentions` are the article's
    distinct (key, label) pairs in order of first appearance."""
    keys = {k for k, _ in mentions}
    links: dict[str, str] = {}
    for m in ACRONYM_INTRO.finditer(body):
        expansion = acronym_expansion(m.group(1), m.group(2))
        if expansion:
            links[normalise(m.group(2).removesuffix("s"))] = normalise(expansion)
    person_keys = {k for k, label in mentions if label == "PERSON"}
    people = [k for k in keys if len(name_tokens(k)) >= 2 and k in person_keys]
    by_surname: dict[str, list[str]] = defaultdict(list)
    for p in people:
        by_surname[surname(p)].append(p)
    orgs = [k for k in keys if len(k.split()) >= 2]
    for k, label in mentions:
        if k in links or len(name_tokens(k)) >= 2 and label == "PERSON":
            continue
        bare = k.removesuffix("s") if k.endswith("s") and len(k) > 3 else k
        matches = {p for p in by_surname.get(surname(k), []) if p != k} if label == "PERSON" or len(k.split()) <= 2 else set()
        if len(matches) == 1:
            links[k] = matches.pop()
            continue
        if len(k.replace(" ", "")) <= 6 and " " not in k:
            expansions = {o for o in orgs if acronym_of(o) in (k, bare)}
            if len(expansions) == 1:
                links[k] = expansions.pop()
    return links


def _gather(indptr, indices, rows):
    """The concatenated rows `rows` of a compressed sparse row structure (`indptr`, `indices`)."""
    import numpy as np

    starts = indptr[rows]
    lengths = indptr[rows + 1] - starts
    if not lengths.sum():
        return indices[:0]
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return indices[offsets + np.arange(lengths.sum())]


class _Cooccurrence:
    """Which keys each article names, and in which articles each key appears: two compressed sparse
    row arrays of key and article numbers (a few bytes per pair, where Python sets cost ~100)."""

    def __init__(self, key_numbers, article_numbers, n_keys: int, n_articles: int):
        import numpy as np

        def csr(rows, cols, n_rows):
            order = np.argsort(rows, kind="stable")
            return np.searchsorted(rows[order], np.arange(n_rows + 1)), cols[order]

        self.key_ptr, self.key_articles = csr(key_numbers, article_numbers, n_keys)
        self.article_ptr, self.article_keys = csr(article_numbers, key_numbers, n_articles)

    def share_context(self, a: int, b: int) -> bool:
        """Some third key appears in an article of `a` and in an article of `b`."""
        import numpy as np

        def context(k: int):
            return np.unique(_gather(self.article_ptr, self.article_keys,
                                     self.key_articles[self.key_ptr[k]:self.key_ptr[k + 1]]))

        common = np.intersect1d(context(a), context(b), assume_unique=True)
        return bool(((common != a) & (common != b)).any())


class _Clusters:
    """Union-find over keys; a join across articles needs shared context (a third key in common)."""

    def __init__(self, ordered_keys: list[str], cooccurrence: _Cooccurrence):
        self.number = {k: i for i, k in enumerate(ordered_keys)}  # the earlier key names the cluster
        self.parent = {k: k for k in ordered_keys}
        self.cooccurrence = cooccurrence

    def root(self, k: str) -> str:
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def join(self, a: str, b: str) -> None:
        ra, rb = self.root(a), self.root(b)
        if ra != rb and self.cooccurrence.share_context(self.number[a], self.number[b]):
            self.parent[max(ra, rb, key=self.number.get)] = min(ra, rb, key=self.number.get)


def _fuzzy_pairs(keys: list[str], scored: set[str], scored_pairs: list[tuple[str, str, float]],
                 chunk: int = 64) -> list[tuple[str, str, float]]:
    """Every pair of `keys` with `fuzz.ratio >= FUZZY_THRESHOLD`, as (key, key, score). The `scored`
    keys were compared with each other before, giving `scored_pairs`; only pairs with a new key are
    scored here, in blocks on every core, so the quadratic comparison stays in C and the memory
    stays at `chunk` rows (64 rows against 40,000 keys: 20 MB of scores)."""
    import numpy as np
    from rapidfuzz import fuzz, process

    present = set(keys)
    pairs = [(a, b, score) for a, b, score in scored_pairs if a in present and b in present]
    ordered = [k for k in keys if k in scored] + [k for k in keys if k not in scored]
    for start in range(len(ordered) - len(present - scored), len(ordered), chunk):
        stop = min(start + chunk, len(ordered))
        scores = process.cdist(ordered[start:stop], ordered[:stop], scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD,
                               dtype=np.float64, workers=-1)
        scores[np.arange(start, stop)[:, None] <= np.arange(stop)[None, :]] = 0  # each pair once
        for row, col in zip(*np.nonzero(scores)):
            pairs.append((ordered[start + int(row)], ordered[int(col)], float(scores[row, col])))
    return pairs


def _closest_earlier(keys: list[str], pairs: list[tuple[str, str, float]]) -> dict[str, str]:
    """For each key, the earlier key in `keys` it matches best among `pairs` (the earliest on a tie)."""
    rank = {k: i for i, k in enumerate(keys)}
    best: dict[str, tuple[float, int]] = {}
    for a, b, score in pairs:
        later, earlier = (a, b) if rank[a] > rank[b] else (b, a)
        if (score, -rank[earlier]) > best.get(later, (0.0, 0)):
            best[later] = (score, -rank[earlier])
    return {k: keys[-best[k][1]] for k in sorted(best, key=rank.get)}


def _cluster_keys(key_counts: Counter, key_label: dict[str, str], key_article_pairs: pl.DataFrame,
                  memo: StepMemo) -> dict[str, str]:
    """key → the key that names its cluster (the most frequent member). `key_article_pairs` holds
    each distinct (key, article number) pair."""
    from rapidfuzz import fuzz, process

    ordered = sorted(key_counts, key=lambda k: (-key_counts[k], k))
    numbers = key_article_pairs.select(
        key=pl.col("key").replace_strict({k: i for i, k in enumerate(ordered)}, return_dtype=pl.UInt32), article="article")
    clusters = _Clusters(ordered, _Cooccurrence(numbers["key"].to_numpy(), numbers["article"].to_numpy(), len(ordered),
                                                int(numbers["article"].max() or 0) + 1))
    del numbers
    by_group: dict[str, list[str]] = defaultdict(list)
    for k in ordered:
        by_group[LABEL_GROUP.get(key_label[k], key_label[k])].append(k)
    people = by_group.get("PERSON", [])
    full_names = [k for k in people if len(name_tokens(k)) >= 2]
    signatures: dict[tuple, list[str]] = defaultdict(list)
    for k in full_names:
        signatures[name_signature(k)].append(k)
    known = memo.read("fuzzy_pairs")
    known_keys = memo.read("fuzzy_keys")
    pair_rows, key_rows = [], []
    for group, keys in by_group.items():
        scored = set(known_keys.filter(pl.col("group") == group)["key"].to_list()) if known_keys is not None else set()
        scored_pairs = known.filter(pl.col("group") == group).select("a", "b", "score").rows() if known is not None else []
        pairs = _fuzzy_pairs(keys, scored, scored_pairs)
        for later, earlier in _closest_earlier(keys, pairs).items():
            if group != "PERSON" or same_person_shape(later, earlier):
                clusters.join(later, earlier)
        pair_rows += [(group, *pair) for pair in pairs]
        key_rows += [(group, k) for k in keys]
    memo.write("fuzzy_pairs", pl.DataFrame(pair_rows, orient="row", schema={
        "group": pl.String, "a": pl.String, "b": pl.String, "score": pl.Float64}))
    memo.write("fuzzy_keys", pl.DataFrame(key_rows, orient="row", schema={"group": pl.String, "key": pl.String}))
    # the small model often calls a little-known place an organisation (Akashat/Akasha)
    places = by_group.get("PLACE", [])
    for k in by_group.get("ORG", []):
        if " " not in k and k not in org_words() and places:
            best = process.extractOne(k, places, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD)
            if best:
                clusters.join(k, best[0])
    for same in signatures.values():
        for k in same[1:]:
            clusters.join(k, same[0])
    # a lone surname joins the one full-name cluster whose surname sounds the same
    by_surname_skeleton: dict[str, list[str]] = defaultdict(list)
    for f in full_names:
        by_surname_skeleton[skeleton(surname(f))].append(f)
    for k in people:
        tokens = name_tokens(k)
        if len(tokens) != 1:
            continue
        roots = {clusters.root(f) for f in by_surname_skeleton.get(skeleton(tokens[0]), [])
                 if fuzz.ratio(surname(f), tokens[0]) >= LONE_SURNAME_THRESHOLD}
        if len(roots) == 1:
            clusters.join(k, roots.pop())
    # "iranian x" / "iran x" joins an unprefixed organisation "x"
    demonyms = {k for k, label in key_label.items() if label in ("NORP", "GPE")}
    orgs = set(by_group.get("ORG", []))
    for k in by_group.get("ORG", []):
        head, _, rest = k.partition(" ")
        if head in demonyms and len(rest.split()) >= 2 and rest in orgs:
            clusters.join(k, rest)
    return {k: clusters.root(k) for k in ordered}


MENTION_KEY = ["article_id", "section_ordinal", "start_char"]
LINK_CHUNK = 2000  # articles linked at once


def first_copies(mentions: pl.DataFrame) -> pl.DataFrame:
    """The mentions of each article's first copy. `mentions` holds every batch's, oldest batch first,
    and the extract step writes an article's mentions together, in order of position; so a copy is
    a run in which the position only grows, and the first run of each article id is its first copy.
    (Cheaper than hashing every mention's key: 1.4 M keys take about 300 MB to deduplicate.)"""
    article, ordinal, start = pl.col("article_id"), pl.col("section_ordinal"), pl.col("start_char")
    new_copy = ((article != article.shift()) | (ordinal < ordinal.shift())
                | ((ordinal == ordinal.shift()) & (start <= start.shift()))).fill_null(True)
    runs = mentions.select(article, copy=new_copy.cum_sum(), starts=new_copy)
    first_runs = runs.filter("starts").filter(article.is_first_distinct())["copy"]
    return mentions.filter(runs["copy"].is_in(first_runs.implode()))


def resolve_entities(mentions: pl.DataFrame, bodies: pl.DataFrame | None = None, aliases: dict | None = None,
                     memo: StepMemo | None = None) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Return (entity links, entities, entity_aliases). `bodies` (article_id, body) holds the texts
    that introduce acronyms ("Popular Mobilization Units (PMU)"). An entity link is a mention's key
    (`MENTION_KEY`) with its resolved `label` and `entity_id`; the load joins it back to the
    extracted mention, so the corpus's mentions are not copied here once more.

    Per-mention work stays in Polars columns; Python loops run over distinct spellings, keys and
    (article, key) pairs only, so memory follows the vocabulary rather than the mention count.
    With a `memo`, articles and keys already seen reuse their links and fuzzy scores (same results).
    """
    aliases = load_aliases() if aliases is None else aliases
    memo = memo or StepMemo(None)
    key_of = {t: normalise(t) for t in mentions["text"].unique().to_list()}
    # articles by number (their ids are 64-character hashes, repeated on every mention)
    article_ids = mentions["article_id"].unique(maintain_order=True).to_list()
    number_of = {a: i for i, a in enumerate(article_ids)}
    m = (mentions.select("text", "label", article=pl.col("article_id").replace_strict(number_of, return_dtype=pl.UInt32))
         .with_row_index("_row")
         .with_columns(key=pl.col("text").replace_strict(key_of, return_dtype=pl.String))
         .filter(pl.col("key") != ""))
    person_like = [k for k in m.filter(pl.col("label") == "ORG")["key"].unique().to_list() if looks_like_person(k)]
    m = m.with_columns(label=pl.when((pl.col("label") == "ORG") & pl.col("key").is_in(person_like))
                       .then(pl.lit("PERSON")).otherwise("label"))
    # within each article, short forms take the key (and that key's label there) of the full form
    last_label = m.group_by("article", "key").agg(pl.col("label").sort_by("_row").last().alias("_target_label"))
    link_schema = {"article_id": pl.String, "key": pl.String, "_linked": pl.String}  # key null: an article without links
    known_links = memo.read("article_links")
    if known_links is None:
        known_links = pl.DataFrame(schema=link_schema)
    known_numbers = [number_of[a] for a in known_links["article_id"].unique().to_list() if a in number_of]
    todo = (m.filter(~pl.col("article").is_in(pl.Series(known_numbers, dtype=pl.UInt32).implode()))
            .select("article", "key", "label").unique(maintain_order=True)
            .group_by("article", maintain_order=True).agg("key", "label"))
    if bodies is None:
        bodies = pl.DataFrame(schema={"article_id": pl.String, "body": pl.String})
    body_of = bodies.select(article=pl.col("article_id").cast(pl.String).replace_strict(number_of, default=None, return_dtype=pl.UInt32),
                            body="body").drop_nulls("article")
    links = []
    for chunk in todo.iter_slices(LINK_CHUNK):  # a chunk of articles' bodies at a time, not the corpus's text
        for article, keys, labels, body in chunk.join(body_of, on="article", how="left", maintain_order="left").iter_rows():
            found = _article_links(list(zip(keys, labels)), body or "")
            links += [(article_ids[article], short, full) for short, full in found.items()] or [(article_ids[article], None, None)]
    all_links = pl.concat([known_links.filter(pl.col("article_id").is_in(pl.Series(article_ids, dtype=pl.String).implode())),
                           pl.DataFrame(links, schema=link_schema, orient="row")])
    memo.write("article_links", all_links)
    linked = (all_links.filter(pl.col("key").is_not_null())
              .select(pl.col("article_id").replace_strict(number_of, return_dtype=pl.UInt32).alias("article"), "key", "_linked"))
    m = (m.join(linked, on=["article", "key"], how="left")
         .join(last_label.rename({"key": "_linked"}), on=["article", "_linked"], how="left")
         .with_columns(key=pl.coalesce("_linked", "key"),
                       label=pl.when(pl.col("_linked").is_not_null()).then(pl.coalesce("_target_label", "label"))
                       .otherwise("label"))
         .drop("_linked", "_target_label"))
    # the alias file first, then one label per key (the most common one)
    alias_frame = pl.DataFrame([(k, normalise(c), c, lab) for k, (c, lab) in aliases.items()], orient="row",
                               schema={"key": pl.String, "_alias_key": pl.String, "forced_name": pl.String, "_alias_label": pl.String})
    m = (m.join(alias_frame, on="key", how="left")
         .with_columns(key=pl.coalesce("_alias_key", "key"), label=pl.coalesce("_alias_label", "label"))
         .drop("_alias_key", "_alias_label")
         .sort("_row"))
    votes = m.group_by("key", "label").len().sort(["key", "len", "label"], descending=[False, True, True])
    key_label = dict(votes.unique("key", keep="first", maintain_order=True).select("key", "label").iter_rows())
    for k, label in key_label.items():
        if label in ("PERSON", "NORP", "GPE") and org_words() & set(k.split()) and len(k.split()) >= 2:
            key_label[k] = "ORG"
    key_counts = Counter(dict(m.group_by("key").len().iter_rows()))
    canonical_key = _cluster_keys(key_counts, key_label, m.select("key", "article").unique(), memo)
    entity_of = {k: hashlib.sha1(f"{key_label[root]}|{root}".encode()).hexdigest()[:16] for k, root in canonical_key.items()}
    m = m.with_columns(
        label=pl.col("key").replace_strict({k: key_label[root] for k, root in canonical_key.items()}, return_dtype=pl.String),
        entity_id=pl.col("key").replace_strict(entity_of, return_dtype=pl.String),
    )
    # canonical name: the alias file's, else the most common spelling among the longest forms
    forms = (m.with_columns(form=pl.col("text").str.strip_chars().str.replace(r"[’']s$", ""))
             .group_by("entity_id", "form", maintain_order=True).len("n"))
    forced = dict(m.filter(pl.col("forced_name").is_not_null()).group_by("entity_id")
                  .agg(pl.col("forced_name").sort_by("_row").last()).iter_rows())
    form_counts: dict[str, dict[str, int]] = defaultdict(dict)  # one pass: a group_by iteration costs a query per entity
    for eid, form, n in forms.select("entity_id", "form", "n").iter_rows():
        form_counts[eid][form] = n
    entity_rows = []
    for eid, counts in form_counts.items():
        best_len = max(len(normalise(f).split()) for f in counts)
        full = [f for f in counts if len(normalise(f).split()) == best_len]
        best = forced.get(eid) or re.sub(r"^[Tt]he\s+", "", max(full, key=lambda f: (counts[f], f)))
        entity_rows.append({"entity_id": eid, "canonical_name": best})
    stats = m.group_by("entity_id").agg(
        pl.col("label").first(), pl.len().alias("mention_count"), pl.col("article").n_unique().alias("article_count"))
    entities = (
        pl.DataFrame(entity_rows, schema={"entity_id": pl.String, "canonical_name": pl.String})
        .join(stats, on="entity_id")
        .with_columns(pl.col("mention_count").cast(pl.Int64), pl.col("article_count").cast(pl.Int64))
        .sort("mention_count", "canonical_name", descending=[True, False])
    )
    entity_aliases = m.select("entity_id", alias=pl.col("text").str.strip_chars()).unique().sort("entity_id", "alias")
    links = (mentions.select(MENTION_KEY)[m["_row"]]  # m is in mention order, less the mentions with an empty key
             .with_columns(m.select("label", "entity_id")))
    return links, entities, entity_aliases


# ----------------------------------------------------------------------------- Dagster asset
import dagster as dg  # noqa: E402
from dagster import AssetExecutionContext  # noqa: E402

from pipelines.batches import after_batches  # noqa: E402
from pipelines.metadata import frame_metadata  # noqa: E402
from pipelines.resources import NewsEtlSettings  # noqa: E402
from pipelines.versions import model_version, rules_version  # noqa: E402


@dg.multi_asset(
    outs={
        "mentions": dg.AssetOut(group_name="resolve", automation_condition=after_batches, description="Each current mention's key (article, section, start) with its resolved `label` and `entity_id`; the load joins it to the extracted mention."),
        "entities": dg.AssetOut(group_name="resolve", automation_condition=after_batches, description="One row per real-world entity, with mention and article counts."),
        "entity_aliases": dg.AssetOut(group_name="resolve", automation_condition=after_batches, description="Every surface form seen for each entity."),
    },
    # article ids (64-character hashes) repeat on every mention: read as categoricals, they are stored once
    ins={"extracted_mentions": dg.AssetIn(metadata={"columns": [*MENTION_KEY, "text", "label"], "categorical": ["article_id"]}),
         "articles": dg.AssetIn(metadata={"columns": ["article_id", "body"]})},
    description="Normalise spellings, link short forms within articles, fuzzy-match across articles, apply warehouse/aliases.csv.",
)
def resolve(context: AssetExecutionContext, news: NewsEtlSettings, extracted_mentions: pl.DataFrame, articles: pl.DataFrame):
    s = news.settings()
    current = first_copies(extracted_mentions.filter(pl.col("article_id").is_in(articles["article_id"].implode())))
    del extracted_mentions
    memo = StepMemo.beside(s.staging_dir, "resolve", f"{rules_version()}|{model_version(s.spacy_model)}")
    mentions, entities, aliases = resolve_entities(current, articles, memo=memo)
    yield dg.Output(mentions, "mentions", metadata=frame_metadata(mentions, ["label", "entity_id"]))
    yield dg.Output(entities, "entities", metadata={
        **frame_metadata(entities, ["canonical_name", "label", "mention_count", "article_count"]),
        "distinct_surface_forms": aliases.height,
    })
    yield dg.Output(aliases, "entity_aliases", metadata=frame_metadata(aliases, ["entity_id", "alias"]))
