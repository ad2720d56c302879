"""The report asset: what it says about the sample warehouse, its files, its UI metadata, and an empty warehouse."""
import base64
import io
import re
import shutil

import dagster as dg
import duckdb
import pytest
from PIL import Image

from assets.report import ENTITY_CHART, REJECTION_CHART, REPORT_FILE, read_report, report
from pipelines.settings import Settings
from tests.conftest import query
from pipelines.definitions import defs
from pipelines.resources import NewsEtlSettings
from warehouse import SQL_DIR

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_png(data: bytes) -> None:
    assert data.startswith(PNG_MAGIC)
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG" and image.width > 100 and image.height > 100


@pytest.fixture(scope="module")
def sample_report(sample_run):
    return read_report(sample_run)


def test_report_is_an_asset_of_its_own_group_after_the_warehouse():
    graph = defs.resolve_asset_graph()
    node = graph.get(dg.AssetKey("report"))
    assert node.group_name == "report"
    assert node.parent_keys == {dg.AssetKey("warehouse")}
    assert dg.AssetKey("report") in defs.resolve_job_def("refresh").asset_layer.executable_asset_keys
    assert defs.resolve_assets_def("report").descriptions_by_key[dg.AssetKey("report")]


def test_the_refresh_job_wrote_the_report_beside_the_warehouse(sample_run):
    directory = Settings(warehouse_path=sample_run).report_dir
    assert directory == sample_run.parent / "news.duckdb.report"
    markdown = (directory / REPORT_FILE).read_text()
    assert markdown.startswith("# News warehouse report")
    for chart in (ENTITY_CHART, REJECTION_CHART):
        assert f"]({chart})" in markdown
        assert_png((directory / chart).read_bytes())


def test_report_lists_the_top_entity_of_the_sample_corpus(sample_run, sample_report):
    (name, mentions), = query(sample_run, """
        SELECT canonical_name, mention_count FROM entity_timeline
        ORDER BY mention_count DESC, article_count DESC, canonical_name LIMIT 1""")
    assert any(top and top[0][0] == name for _month, top in sample_report.top_entities)
    assert f"{name} ({mentions})" in sample_report.markdown()


def test_headline_and_rejection_counts_match_the_tables(sample_run, sample_report):
    counts = sample_report.counts
    assert counts["files"] == query(sample_run, "SELECT count(*) FROM raw_files")[0][0]
    assert counts["articles"] == query(sample_run, "SELECT count(*) FROM articles")[0][0]
    assert counts["stories"] == query(sample_run, "SELECT count(DISTINCT story_id) FROM articles")[0][0]
    assert counts["rejected"] == query(sample_run, "SELECT count(*) FROM rejections")[0][0] > 0

    expected = query(sample_run, "SELECT stage, reason, count(*) FROM rejections GROUP BY ALL")
    assert {(s, r): n for s, r, n, *_ in sample_report.rejections} == {(s, r): n for s, r, n in expected}
    assert sample_report.rejected_by_reason == dict(query(sample_run, "SELECT reason, count(*) FROM rejections GROUP BY ALL"))
    markdown = sample_report.markdown()
    for stage, reason, n in expected:
        assert re.search(rf"^\| {stage} \| {re.escape(reason)} \| {n} \|", markdown, re.M), (stage, reason, n)


def test_asset_metadata_embeds_the_charts_and_reads_only(sample_run, tmp_path):
    warehouse = tmp_path / "copy.duckdb"
    shutil.copy(sample_run, warehouse)
    # A read-only connection held in this process: a read-write open of the same file here would raise.
    holder = duckdb.connect(str(warehouse), read_only=True)
    try:
        result = report(news=NewsEtlSettings(warehouse_path=str(warehouse)))
    finally:
        holder.close()
    meta = result.metadata
    md = meta["report"].value
    uris = re.findall(r"!\[[^\]]*\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", md)
    assert len(uris) == 2
    for uri in uris:
        assert_png(base64.b64decode(uri))
    assert isinstance(meta["path"], dg.PathMetadataValue)
    assert meta["path"].value == str(Settings(warehouse_path=warehouse).report_dir / REPORT_FILE)
    assert (Settings(warehouse_path=warehouse).report_dir / REPORT_FILE).exists()
    assert meta["articles"].value == query(warehouse, "SELECT count(*) FROM articles")[0][0]
    assert meta["rejected"].value == query(warehouse, "SELECT count(*) FROM rejections")[0][0]


def test_an_empty_warehouse_still_renders(tmp_path):
    warehouse = tmp_path / "empty.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute((SQL_DIR / "schema.sql").read_text())
    con.execute((SQL_DIR / "views.sql").read_text())
    con.close()

    result = report(news=NewsEtlSettings(warehouse_path=str(warehouse)))
    built = read_report(warehouse)
    assert built.counts == {k: 0 for k in ("files", "articles", "stories", "entities", "mentions", "rejected")}
    assert not built.top_entities and not built.rejections
    markdown = built.markdown()
    assert "_No dated entity mentions yet._" in markdown and "_Nothing was rejected._" in markdown
    for chart in built.charts:
        assert_png(chart.png)
        assert_png((Settings(warehouse_path=warehouse).report_dir / chart.file_name).read_bytes())
    assert result.metadata["report"].value.count("data:image/png;base64,") == 2
    assert result.metadata["rejected"].value == 0
