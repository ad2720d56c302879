"""`make eval` runs and pins its figures: every seed line and date right, and floors on the project's own corpus."""
import pytest

from pipelines.evaluate import METRICS, evaluate_all, format_table


@pytest.fixture(scope="module")
def results():
    return evaluate_all()


def test_evaluation_pins_the_seed_and_sample_results(gold, results):
    seeds, sample = results["seeds"], results["sample"]
    for corpus in (seeds, sample):
        assert corpus["spam_precision"] == corpus["spam_recall"] == 1.0
        assert corpus["boilerplate_precision"] == corpus["boilerplate_recall"] == 1.0
        assert corpus["body_lines_lost"] == 0.0
        assert corpus["title_accuracy"] == 1.0
        assert corpus["declared_date_accuracy"] == 1.0
        assert corpus["mis_dated_precision"] == corpus["mis_dated_recall"] == 1.0
    assert seeds["inferred_dated"] == "3/3"
    assert format_table(results, METRICS).startswith("| metric | seeds | sample")


def inferred_share(corpus: dict) -> float:
    """The share of undeclared articles with a known true date that the date stage dated ("120/135")."""
    dated, known = map(int, corpus["inferred_dated"].split("/"))
    return dated / known


def test_tune_split_stays_at_its_measured_level(results):
    """The spam lexicon and model are learned from this split, so its figures flatter; the cross-validated ones
    are in the README. These floors are its measured level and catch a regression."""
    tune = results["eval/tune"]
    assert tune["spam_precision"] >= 0.98 and tune["spam_recall"] >= 0.97
    assert tune["body_lines_lost"] <= 0.003
    assert tune["boilerplate_precision"] >= 0.97 and tune["boilerplate_recall"] >= 0.88
    assert tune["title_accuracy"] >= 0.93
    assert tune["mis_dated_precision"] >= 0.99 and tune["mis_dated_recall"] >= 0.99
    assert tune["declared_date_accuracy"] >= 0.99
    assert inferred_share(tune) >= 0.85 and tune["inferred_date_median_error_days"] <= 7


def test_held_out_split_stays_at_its_measured_level(results):
    """The accuracy targets on the split nobody tunes on: spam precision and recall at least 0.97, body lines lost
    at most 0.5 %, mis-dated precision and recall at least 0.95, declared dates at least 0.98. The floors sit at
    the measured level (README, "Accuracy"), tighter than the targets where the split is above them, to catch a
    regression."""
    test = results["eval/test (held out)"]
    assert test["mis_dated_precision"] >= 0.98 and test["mis_dated_recall"] >= 0.99
    assert test["declared_date_accuracy"] >= 0.99
    assert test["body_lines_lost"] <= 0.002
    assert test["boilerplate_precision"] >= 0.97 and test["boilerplate_recall"] >= 0.88
    assert test["title_accuracy"] >= 0.94
    assert inferred_share(test) >= 0.85 and test["inferred_date_median_error_days"] <= 7
    assert test["spam_precision"] >= 0.97 and test["spam_recall"] >= 0.97


def test_stories_join_rewrites_and_translations_but_not_same_topic_reports(results):
    stories = results["eval/stories"]
    assert stories["story_pair_precision"] == 1.0 and stories["story_pair_recall"] >= 0.9
    kept, pairs = map(int, stories["same_topic_pairs_kept_apart"].split("/"))
    assert pairs >= 8 and kept == pairs
