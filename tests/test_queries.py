"""Every documented query in warehouse/queries/ and the README runs and answers sensibly."""
import re

import pytest

from tests.conftest import REPO, query

QUERIES = sorted((REPO / "warehouse" / "queries").glob("*.sql"))


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_example_query_runs_on_the_sample_warehouse(sample_run, path):
    rows = query(sample_run, path.read_text())
    assert rows, f"{path.name} returned nothing on the sample corpus"


def test_readme_queries_run(sample_run):
    readme = (REPO / "README.md").read_text()
    blocks = re.findall(r"```sql\n(.*?)```", readme, re.S)
    statements = [s for b in blocks for s in b.split(";") if "SELECT" in s]
    assert len(statements) >= 5
    for sql in statements:
        query(sample_run, sql)


def test_seed_queries_answer_the_obvious(seeds_run):
    warehouse, _, _ = seeds_run
    rejections = query(warehouse, (REPO / "warehouse/queries/01_rejections_by_reason.sql").read_text())
    assert {("clean", "spam")} <= {(r[0], r[1]) for r in rejections}
    stories = query(warehouse, (REPO / "warehouse/queries/06_stories_with_several_reports.sql").read_text())
    assert len(stories) == 1 and sorted(stories[0][5]) == ["000_6606fe5d1de60042.txt", "002_a386f219438e4dd0.txt"]


def test_seed_entity_queries_answer_the_obvious(seeds_run):
    warehouse, _, _ = seeds_run
    read = lambda name: (REPO / "warehouse" / "queries" / name).read_text()  # noqa: E731
    top = query(warehouse, read("04_top_cooccurring_entities.sql"))
    assert len(top) == 20 and top[0][4] == 5  # some pairs run through all five seeds
    pair = query(warehouse, """SELECT article_count FROM entity_cooccurrence
                               WHERE list_sort([name_a, name_b]) = ['Kataib Hezbollah', 'Popular Mobilization Forces']""")
    assert pair and pair[0][0] >= 3
    people_by_org = query(warehouse, read("05_organisations_with_people.sql"))
    assert any(org == "Kataib Hezbollah" and person == "Abu Mahdi al-Muhandis" for _, org, person, _ in people_by_org)
    assert all(month is not None for month, *_ in people_by_org)
    spellings = {r[0]: set(r[3]) for r in query(warehouse, read("07_entity_spellings.sql"))}
    soleimani = next(forms for forms in spellings.values() if "Soleimani" in forms)
    assert {"Qasem Soleimani", "Qassim Suleimani", "General Suleimani", "Solemani"} <= soleimani
    spam = query(warehouse, read("02_spam_sections.sql"))
    assert spam and all(r[0].startswith("002_") for r in spam)
    statuses = {r[0] for r in query(warehouse, read("08_articles_by_date_status.sql"))}
    assert statuses == {"ok", "inferred"}
    mis_dated = query(warehouse, read("03_mis_dated_articles.sql"))
    assert {r[0] for r in mis_dated} == {p.name for p in (warehouse.parent / "landing").glob("variant_*")}
