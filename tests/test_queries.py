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
