"""`make eval`: accuracy of the clean and date stages on labelled corpora.

Runs the stage functions (no Dagster, no NER) over each corpus and prints, per corpus:
spam and boilerplate precision/recall (per section), body lines lost, title accuracy, declared-date
accuracy, inferred-date error in days, and mis-dated precision/recall.

Corpora: `../shared/seeds` with `gold.json` (plus its mis-dated variants), the sample corpus
(`data/labels/sample.json`) and the project's own labelled corpus (`data/eval/labels.json`,
split into `tune` and a held-aside `test`).
"""
import json
import re
import shutil
import statistics
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import polars as pl

from pipelines.settings import REPO_ROOT

SEEDS = REPO_ROOT.parent / "shared" / "seeds"
EVAL_LABELS = REPO_ROOT / "data" / "eval" / "labels.json"
EVAL_NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)


@dataclass
class Labelled:
    """What a labelled article says; line lists may end in '...' to mean 'starts with'."""
    key: str
    spam: list[str] = field(default_factory=list)
    boilerplate: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    body_paragraphs: int | None = None
    declared_date: str | None = None
    mis_dated: bool = False
    true_date: str | None = None
    title: str | None = None
    title_labelled: bool = False  # whether `title` is known (None then means the article has no title)


def label_matches(label: str, text: str) -> bool:
    """Whether a labelled line is (in) a section's text."""
    if "..." in label:
        return text.startswith(label.split("...")[0].strip())
    # a hard-wrapped paragraph is one section: its lines are found inside it, its short last line at its end
    return (label == text or (len(label) > 20 and label in text) or text.endswith(" " + label)
            or text.startswith(label + " "))


def article_key(path: str, article_id: str) -> str:
    """How labels name an article: its file path, plus `#n` for the n-th (0-based) record of a JSONL file."""
    return f"{path}#{int(article_id.rsplit(':', 1)[1]) - 1}" if ":" in article_id else path


def run_stages(landing: Path) -> tuple[pl.DataFrame, pl.DataFrame, set[str]]:
    """(sections with `key`, date evidence with `key`, keys rejected as mis-dated)."""
    from assets.clean import clean_files
    from assets.date import date_evidence_frame, reject_mis_dated
    from assets.dedupe import assign_stories
    from assets.stage import stage_files

    staged = stage_files(landing, "eval", EVAL_NOW, 50 * 1024 * 1024)
    paths = dict(staged.raw_files.filter(pl.col("status") == "accepted").unique("file_id", keep="first", maintain_order=True)
                 .select("file_id", "path").iter_rows())
    sections, articles, _ = clean_files(staged.raw_files, EVAL_NOW)
    keyed = lambda f: f.with_columns(key=pl.struct("file_id", "article_id").map_elements(  # noqa: E731
        lambda r: article_key(paths[r["file_id"]], r["article_id"]), return_dtype=pl.String))
    evidence = date_evidence_frame(articles, sections, EVAL_NOW)
    dated, rejections = reject_mis_dated(evidence, EVAL_NOW)
    stories, _ = assign_stories(dated)  # a dated duplicate dates an undated report
    evidence = keyed(evidence.drop("published_date").join(stories.select("article_id", "published_date", "story_id"),
                                                          on="article_id", how="left"))
    rejected_ids = set(rejections["article_id"].to_list())
    mis_dated = set(evidence.filter(pl.col("article_id").is_in(list(rejected_ids)))["key"].to_list())
    return keyed(sections), evidence, mis_dated


def _prf(tp: int, fp: int, fn: int) -> tuple[float | None, float | None]:
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    return precision, recall


def score(labels: list[Labelled], sections: pl.DataFrame, evidence: pl.DataFrame, mis_dated: set[str]) -> dict:
    by_key: dict[str, list[tuple[str, str]]] = {}
    for key, kind, text in sections.select("key", "kind", "text").iter_rows():
        by_key.setdefault(key, []).append((kind, text))
    out: dict = {}
    # page chrome and the source line are one class here: neither is the article's text
    for name, kinds in (("spam", {"spam"}), ("boilerplate", {"boilerplate", "source"})):
        tp = fp = fn = 0
        for lab in labels:
            secs = by_key.get(lab.key, [])
            wanted = getattr(lab, name)
            for label in wanted:
                hit = {k for k, t in secs if label_matches(label, t)}
                tp, fn = (tp + 1, fn) if kinds & hit else (tp, fn + 1)
            fp += sum(1 for k, t in secs if k in kinds and not any(label_matches(lb, t) for lb in wanted))
        out[f"{name}_precision"], out[f"{name}_recall"] = _prf(tp, fp, fn)
    lost = total = 0
    for lab in labels:
        secs = by_key.get(lab.key, [])
        if lab.body:
            total += len(lab.body)
            lost += sum(1 for line in lab.body if not any(k == "body" and label_matches(line, t) for k, t in secs))
        elif lab.body_paragraphs is not None:
            total += lab.body_paragraphs
            lost += max(0, lab.body_paragraphs - sum(1 for k, _ in secs if k == "body"))
    out["body_lines_lost"] = lost / total if total else None
    declared = dict(evidence.select("key", pl.col("declared_date").cast(pl.String)).iter_rows())
    with_date = [lab for lab in labels if lab.declared_date]
    out["declared_date_accuracy"] = (sum(declared.get(lab.key) == lab.declared_date for lab in with_date) / len(with_date)
                                     if with_date else None)
    published = dict(evidence.select("key", "published_date").iter_rows())
    # the articles with no declared date whose true date the labels know, and how far off the stage dated them
    known = [lab for lab in labels if not lab.declared_date and not lab.mis_dated and lab.true_date]
    errors = [abs((published[lab.key] - date.fromisoformat(lab.true_date)).days) for lab in known if published.get(lab.key)]
    out["inferred_date_median_error_days"] = round(statistics.median(errors)) if errors else None  # whole days
    out["inferred_dated"] = f"{len(errors)}/{len(known)}"
    tp = sum(1 for lab in labels if lab.mis_dated and lab.key in mis_dated)
    fp = sum(1 for lab in labels if not lab.mis_dated and lab.key in mis_dated)
    fn = sum(1 for lab in labels if lab.mis_dated and lab.key not in mis_dated)
    out["mis_dated_precision"], out["mis_dated_recall"] = _prf(tp, fp, fn)
    titles = dict(evidence.select("key", "title").iter_rows())
    titled = [lab for lab in labels if lab.title_labelled]
    out["title_accuracy"] = (sum(_title_right(lab.title, titles.get(lab.key)) for lab in titled) / len(titled)
                             if titled else None)
    out["articles"] = len(labels)
    return out


def _title_right(wanted: str | None, found: str | None) -> bool:
    return not found if wanted is None else bool(found) and label_matches(" ".join(wanted.split()), " ".join(found.split()))


def entity_resolution(entity_aliases: pl.DataFrame, gold_entities: dict) -> dict:
    """Score resolution against gold `entities` ({label: {canonical: [forms]}}).

    A form lands in every entity that has an alias with the same normalised key (the key the
    resolver itself matches on, so "the Washington Post" and "Washington Post" are one form).
    For each gold entity, the entity holding most of its forms is its match; `forms_resolved`
    is the share of forms (except those marked as translation errors) that land there, and
    `merges` lists project entities matched by two or more gold entities.
    """
    from assets.resolve import normalise

    by_key: dict[str, set[str]] = {}
    for entity_id, alias in entity_aliases.select("entity_id", "alias").iter_rows():
        by_key.setdefault(normalise(alias), set()).add(entity_id)
    total = resolved = 0
    matched: dict[str, list[str]] = {}
    missed: list[tuple[str, str]] = []
    for label, entities in gold_entities.items():
        if not isinstance(entities, dict):
            continue
        for canonical, forms in entities.items():
            forms = [f for f in forms if "translation error" not in f]
            landing = [by_key.get(normalise(f), set()) for f in forms]
            votes = Counter(e for ids in landing for e in ids)
            best = votes.most_common(1)[0][0] if votes else None
            hits = sum(1 for ids in landing if best in ids)
            total, resolved = total + len(forms), resolved + hits
            missed += [(canonical, f) for f, ids in zip(forms, landing) if best not in ids]
            if best:
                matched.setdefault(best, []).append(canonical)
    return {"forms": total, "forms_resolved": resolved / total if total else None, "missed": missed,
            "merges": [names for names in matched.values() if len(names) > 1]}


def story_pairs(evidence: pl.DataFrame, labels: dict[str, dict]) -> dict:
    """Pairwise scores of `story_id` against labelled stories ({file: {"story", "topic"}}): precision and
    recall over same-story pairs, and how many same-topic pairs of different stories were joined."""
    story = dict(evidence.select("key", "story_id").iter_rows())
    keys = sorted(k for k in labels if k in story)
    tp = fp = fn = topic_pairs = topic_joined = 0
    joined: list[tuple[str, str]] = []
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            same, predicted = labels[a]["story"] == labels[b]["story"], story[a] == story[b]
            tp, fp, fn = tp + (same and predicted), fp + (predicted and not same), fn + (same and not predicted)
            if not same and labels[a]["topic"] == labels[b]["topic"]:
                topic_pairs += 1
                topic_joined += predicted
            if predicted and not same:
                joined.append((a, b))
    precision, recall = _prf(tp, fp, fn)
    return {"articles": len(keys), "story_pair_precision": precision, "story_pair_recall": recall,
            "same_topic_pairs_kept_apart": f"{topic_pairs - topic_joined}/{topic_pairs}", "wrongly_joined": joined}


def stories_corpus() -> tuple[Path, dict[str, dict]] | None:
    path = REPO_ROOT / "data" / "eval" / "stories" / "labels.json"
    return (path.parent, json.loads(path.read_text())["articles"]) if path.exists() else None


def apply_variant(text: str, edit: str) -> tuple[str, str]:
    """Apply a gold.json edit "... 'OLD' becomes 'NEW'"; returns (edited text, the old line)."""
    old, new = re.findall(r"'([^']+)'", edit)[-2:]
    if old not in text:
        raise ValueError(f"variant edit does not apply: {edit}")
    return text.replace(old, new, 1), old


def seeds_corpus(workdir: Path) -> tuple[Path, list[Labelled]] | None:
    if not (SEEDS / "gold.json").exists():
        return None
    gold = json.loads((SEEDS / "gold.json").read_text())
    landing = workdir / "seeds"
    landing.mkdir()
    labels = []
    for name, g in gold["articles"].items():
        shutil.copy(SEEDS / name, landing / name)
        # the declared date line is a date section, even where gold also lists it as boilerplate
        boilerplate = [b for b in g["boilerplate_lines"] if b != g.get("declared_date_line")]
        labels.append(Labelled(name, spam=g["spam_lines"], boilerplate=boilerplate,
                               body_paragraphs=g["body_paragraphs"], declared_date=g["declared_date"],
                               true_date=g["true_publication_date"], title=g["title"], title_labelled=True))
    for i, case in enumerate(gold["mis_dated_variants"]["cases"]):
        name = f"variant_{i}_{case['from']}"
        edited, old = apply_variant((SEEDS / case["from"]).read_text(), case["edit"])
        (landing / name).write_text(edited)
        g = gold["articles"][case["from"]]
        labels.append(Labelled(name, spam=g["spam_lines"], boilerplate=[b for b in g["boilerplate_lines"]
                                                                        if b not in (old, g.get("declared_date_line"))],
                               body_paragraphs=g["body_paragraphs"], mis_dated=True))
    return landing, labels


def sample_corpus() -> tuple[Path, list[Labelled]]:
    raw = json.loads((REPO_ROOT / "data" / "labels" / "sample.json").read_text())["articles"]
    labels = [Labelled(key, spam=v.get("spam_lines", []), boilerplate=v.get("boilerplate_lines", []),
                       body_paragraphs=v["body_paragraphs"],
                       declared_date=v["declared_date"] if v["date_status"] != "mis_dated" else None,
                       mis_dated=v["date_status"] == "mis_dated", title=v.get("title"), title_labelled="title" in v)
              for key, v in raw.items()]
    return REPO_ROOT / "data" / "landing", labels


def split_labels(articles: dict[str, dict], split: str) -> list[Labelled]:
    """The labelled articles of one split of the project's corpus (`articles` as in its labels file)."""
    labels = []
    for key, v in articles.items():
        if v["split"] != split:
            continue
        lines = v["lines"]
        labels.append(Labelled(key.split("/", 1)[1], spam=[t for t, k in lines.items() if k == "spam"],
                               boilerplate=[t for t, k in lines.items() if k in ("boilerplate", "source")],
                               body=[t for t, k in lines.items() if k == "body"],
                               declared_date=v["declared_date"] if v["date_status"] != "mis_dated" else None,
                               mis_dated=v["date_status"] == "mis_dated", true_date=v.get("true_date"),
                               title=v["title"], title_labelled=True))
    return labels


def eval_corpus(split: str) -> tuple[Path, list[Labelled]] | None:
    if not EVAL_LABELS.exists():
        return None
    return EVAL_LABELS.parent / split, split_labels(json.loads(EVAL_LABELS.read_text())["articles"], split)


METRICS = ["articles", "spam_precision", "spam_recall", "boilerplate_precision", "boilerplate_recall", "body_lines_lost",
           "title_accuracy",
           "declared_date_accuracy", "inferred_date_median_error_days", "inferred_dated", "mis_dated_precision",
           "mis_dated_recall"]


def evaluate_all() -> dict[str, dict]:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        corpora = {"seeds": seeds_corpus(Path(tmp)), "sample": sample_corpus(),
                   "eval/tune": eval_corpus("tune"), "eval/test (held out)": eval_corpus("test")}
        for name, corpus in corpora.items():
            if corpus is None:
                continue
            landing, labels = corpus
            results[name] = score(labels, *run_stages(landing))
        if stories := stories_corpus():
            landing, story_labels = stories
            results["eval/stories"] = story_pairs(run_stages(landing)[1], story_labels)
    return results


STORY_METRICS = ["articles", "story_pair_precision", "story_pair_recall", "same_topic_pairs_kept_apart"]


def format_table(results: dict[str, dict], metrics: list[str]) -> str:
    def cell(v):
        return "–" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)

    names = list(results)
    rows = ["| metric | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    rows += ["| " + m + " | " + " | ".join(cell(results[n].get(m)) for n in names) + " |" for m in metrics]
    return "\n".join(rows)


def main() -> int:
    results = evaluate_all()
    stories = {name: results.pop(name) for name in list(results) if "story_pair_precision" in results[name]}
    print(format_table(results, METRICS))
    if stories:
        print("\nStories (pairs of reports; same topic = different stories of the same kind of event)\n")
        print(format_table(stories, STORY_METRICS))
        for name, r in stories.items():
            for a, b in r["wrongly_joined"]:
                print(f"  {name}: joined but different stories: {a} ~ {b}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
