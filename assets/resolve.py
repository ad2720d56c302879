"""Resolve: one entity per real-world thing.

1. Normalise each mention: Unicode and apostrophe variants, transliteration doublings
   (Kata'ib/Kataib), honorifics and titles, possessives, a leading "the".
2. The alias file (`warehouse/aliases.csv`) maps known forms to a canonical name.
3. Within one article, a surname links to the full name introduced there, and an acronym to
   the name it abbreviates ("Popular Mobilization Units (PMU)", or matching initials).
4. Across articles, keys of the same label are fuzzy-matched (rapidfuzz) above a threshold;
   people must also agree on the surname, so distinct people are not merged.
"""

import csv
import functools
import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import polars as pl

from warehouse import SQL_DIR

ALIAS_FILE = SQL_DIR / "aliases.csv"
FUZZY_THRESHOLD = 90
SURNAME_THRESHOLD = 80
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
# words that make a name an organisation whatever the model said (small models often tag militias as people)
ORG_WORDS = frozenset(
    "hezbollah hizbollah brigade brigades forces force units corps army militia militias party ministry council committee "
    "union authority agency company bank group university institute association league federation organization "
    "organisation commission department court parliament police guard guards front movement network coalition "
    "times post press news".split()
)
LABEL_GROUP = {"GPE": "PLACE", "LOC": "PLACE", "FAC": "FAC", "ORG": "ORG", "NORP": "NORP", "PERSON": "PERSON", "EVENT": "EVENT"}


@functools.lru_cache(maxsize=1)
def org_words() -> frozenset[str]:
    return frozenset(normalise(w) for w in ORG_WORDS)


def normalise(name: str) -> str:
    """A spelling-insensitive key: 'Kata’ib Hezbollah' and 'Kataib Hezbollah' meet; 'Mr. al-Kadhimi' → 'al kadhimi'."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = re.sub(r"[’‘`´']s\b", "", s)            # possessive
    s = re.sub(r"[’‘`´'ʼʻ]", "", s)              # apostrophes inside names
    s = re.sub(r"[^a-z0-9]+", " ", s).strip()
    s = re.sub(r"^the\s+", "", s)
    s = TITLE_PREFIX.sub("", s).strip()
    s = re.sub(r"kh(?=a)", "k", s)               # common transliteration doubling (Khataib/Kataib)
    s = re.sub(r"([a-z])\1", r"\1", s)           # doubled letters (Qassem/Qasem)
    return s


def surname(key: str) -> str:
    tokens = [t for t in key.split() if t not in PARTICLES]
    return tokens[-1] if tokens else key


def same_person_shape(a: str, b: str) -> bool:
    """Fuzzy-close person names must also agree on the surname and on the first name's initial
    (Mohammed/Muhammad pass; Anna/Hanna do not)."""
    from rapidfuzz import fuzz

    return fuzz.ratio(surname(a), surname(b)) >= SURNAME_THRESHOLD and a[:1] == b[:1]


def acronym_of(key: str) -> str:
    return "".join(t[0] for t in key.split() if t not in ("of", "and", "for", "the", "in", "de", "al"))


def load_aliases(path: Path = ALIAS_FILE) -> dict[str, tuple[str, str | None]]:
    """normalised alias → (canonical name, label or None)."""
    if not path.exists():
        return {}
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    out = {}
    for row in csv.DictReader(lines):
        if row.get("alias") and row.get("canonical_name"):
            out[normalise(row["alias"])] = (row["canonical_name"].strip(), (row.get("label") or "").strip() or None)
    return out


def _article_links(mentions: list[dict], body: str) -> dict[str, str]:
    """Within one article: short key → the full key it stands for."""
    keys = {m["key"] for m in mentions}
    links: dict[str, str] = {}
    for m in ACRONYM_INTRO.finditer(body):
        acronym = normalise(m.group(2).rstrip("s") if m.group(2).endswith("s") and m.group(2)[:-1].isupper() else m.group(2))
        long_key = normalise(m.group(1))
        # the capture may run long on the left ("Gen. Popular Mobilization Units"): keep the tail whose initials match
        words = long_key.split()
        for start in range(len(words)):
            if acronym_of(" ".join(words[start:])) == acronym.replace(" ", ""):
                links[acronym] = " ".join(words[start:])
                break
    people = [k for k in keys if len(k.split()) >= 2 and any(m["key"] == k and m["label"] == "PERSON" for m in mentions)]
    orgs = [k for k in keys if len(k.split()) >= 2]
    for m in mentions:
        k = m["key"]
        if k in links or len(k.split()) >= 2 and m["label"] == "PERSON":
            continue
        bare = k.removesuffix("s") if k.endswith("s") and len(k) > 3 else k
        stripped = surname(k)
        matches = [p for p in people if surname(p) == stripped and p != k] if m["label"] == "PERSON" or len(k.split()) <= 2 else []
        if len(set(matches)) == 1:
            links[k] = matches[0]
            continue
        if len(k.replace(" ", "")) <= 6 and " " not in k:
            expansions = {o for o in orgs if acronym_of(o) in (k, bare)}
            if len(expansions) == 1:
                links[k] = expansions.pop()
    return links


def resolve_entities(mentions: pl.DataFrame, bodies: dict[str, str], aliases: dict | None = None) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Return (mentions with entity_id, entities, entity_aliases)."""
    from rapidfuzz import fuzz, process

    aliases = load_aliases() if aliases is None else aliases
    rows = [dict(r, key=normalise(r["text"])) for r in mentions.iter_rows(named=True)]
    rows = [r for r in rows if r["key"]]
    by_article: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_article[r["article_id"]].append(r)
    for article_id, ms in by_article.items():
        links = _article_links(ms, bodies.get(article_id, ""))
        for r in ms:
            r["key"] = links.get(r["key"], r["key"])
    # alias file first, then one label per key (the most common one)
    for r in rows:
        if r["key"] in aliases:
            canonical, label = aliases[r["key"]]
            r["key"], r["forced_name"] = normalise(canonical), canonical
            r["label"] = label or r["label"]
    label_votes: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        label_votes[r["key"]][r["label"]] += 1
    key_label = {k: v.most_common(1)[0][0] for k, v in label_votes.items()}
    for k, label in key_label.items():
        if label in ("PERSON", "NORP", "GPE") and org_words() & set(k.split()) and len(k.split()) >= 2:
            key_label[k] = "ORG"
    # across articles: fuzzy-match keys of the same label group, most frequent keys become the anchors
    key_counts = Counter(r["key"] for r in rows)
    canonical_key: dict[str, str] = {}
    anchors_by_group: dict[str, list[str]] = defaultdict(list)
    for key, _ in key_counts.most_common():
        group = LABEL_GROUP.get(key_label[key], key_label[key])
        anchors = anchors_by_group[group]
        best = process.extractOne(key, anchors, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD) if anchors else None
        if best and (group != "PERSON" or same_person_shape(key, best[0])):
            canonical_key[key] = best[0]
        else:
            canonical_key[key] = key
            anchors.append(key)
    for r in rows:
        r["key"] = canonical_key[r["key"]]
        r["label"] = key_label[r["key"]]
        r["entity_id"] = hashlib.sha1(f"{r['label']}|{r['key']}".encode()).hexdigest()[:16]
    # canonical name: the alias file's, else the most common longest-form spelling
    names: dict[str, Counter] = defaultdict(Counter)
    forced: dict[str, str] = {}
    for r in rows:
        names[r["entity_id"]][r["text"].strip()] += 1
        if r.get("forced_name"):
            forced[r["entity_id"]] = r["forced_name"]
    entity_rows = []
    for eid, forms in names.items():
        label = next(r["label"] for r in rows if r["entity_id"] == eid) if eid not in forced else None
        best_len = max(len(normalise(f).split()) for f in forms)
        full = [f for f in forms if len(normalise(f).split()) == best_len]
        best = forced.get(eid) or re.sub(r"^[Tt]he\s+", "", max(full, key=lambda f: (forms[f], f)))
        entity_rows.append({"entity_id": eid, "canonical_name": best,
                            "label": label})
    resolved = pl.DataFrame(
        [{k: r[k] for k in ("article_id", "section_ordinal", "start_char", "end_char", "text", "label", "entity_id")} for r in rows],
        schema={**mentions.schema, "entity_id": pl.String},
    )
    stats = resolved.group_by("entity_id").agg(
        pl.col("label").mode().first().alias("majority_label"),
        pl.len().alias("mention_count"), pl.col("article_id").n_unique().alias("article_count"))
    entities = (
        pl.DataFrame(entity_rows, schema={"entity_id": pl.String, "canonical_name": pl.String, "label": pl.String})
        .join(stats, on="entity_id")
        .with_columns(label=pl.coalesce("label", "majority_label")).drop("majority_label")
        .with_columns(pl.col("mention_count").cast(pl.Int64), pl.col("article_count").cast(pl.Int64))
        .sort("mention_count", "canonical_name", descending=[True, False])
    )
    entity_aliases = resolved.select("entity_id", alias=pl.col("text").str.strip_chars()).unique().sort("entity_id", "alias")
    return resolved, entities, entity_aliases


# ----------------------------------------------------------------------------- Dagster asset
import dagster as dg  # noqa: E402
from dagster import AssetExecutionContext  # noqa: E402

from pipelines.metadata import frame_metadata  # noqa: E402


@dg.multi_asset(
    outs={
        "mentions": dg.AssetOut(group_name="resolve", description="Entity mentions with their resolved `entity_id`."),
        "entities": dg.AssetOut(group_name="resolve", description="One row per real-world entity, with mention and article counts."),
        "entity_aliases": dg.AssetOut(group_name="resolve", description="Every surface form seen for each entity."),
    },
    description="Normalise spellings, link short forms within articles, fuzzy-match across articles, apply warehouse/aliases.csv.",
)
def resolve(context: AssetExecutionContext, extracted_mentions: pl.DataFrame, articles: pl.DataFrame):
    bodies = dict(articles.select("article_id", "body").iter_rows())
    mentions, entities, aliases = resolve_entities(extracted_mentions, bodies)
    yield dg.Output(mentions, "mentions", metadata=frame_metadata(mentions, ["text", "label", "entity_id"]))
    yield dg.Output(entities, "entities", metadata={
        **frame_metadata(entities, ["canonical_name", "label", "mention_count", "article_count"]),
        "distinct_surface_forms": aliases.height,
    })
    yield dg.Output(aliases, "entity_aliases", metadata=frame_metadata(aliases, ["entity_id", "alias"]))
