"""Report: the warehouse as a page a person would rather look at than query.

`build_report` reads a (read-only) DuckDB connection and returns a `Report`: headline counts,
the top entities of each recent month (`entity_timeline`), rejections by stage and reason
(`rejections_summary`) and two PNG charts drawn with matplotlib's Agg backend. The asset writes
`report.md` and the charts to `<warehouse>.report/` and puts the same Markdown, with the charts
embedded as data URIs, into the materialization metadata so the Dagster UI shows it.
"""
from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.metadata import markdown_table, md_cell

if TYPE_CHECKING:
    import duckdb

REPORT_FILE = "report.md"
ENTITY_CHART = "entities_by_month.png"
REJECTION_CHART = "rejections_by_reason.png"
TOP_PER_MONTH = 5      # entities listed per month
RECENT_MONTHS = 12     # calendar months up to the latest month with dated mentions
CHART_ENTITIES = 5     # lines in the entity chart


@dataclass(frozen=True)
class Chart:
    file_name: str
    title: str
    png: bytes

    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class Report:
    """What the report says; `markdown()` renders it."""

    counts: dict[str, int]                           # files, articles, stories, entities, mentions, rejected
    rejected_by_reason: dict[str, int]
    top_entities: list[tuple[date, list[tuple[str, str, int]]]]   # newest month first: (month, [(name, label, mentions)])
    months: int
    per_month: int
    rejections: list[tuple[str, str, int, int, str | None]]      # stage, reason, rejected, files, example detail
    charts: list[Chart] = field(default_factory=list)

    def chart(self, file_name: str) -> Chart:
        return next(c for c in self.charts if c.file_name == file_name)

    def markdown(self, embed_images: bool = False) -> str:
        """The report as Markdown; images link to the PNG files beside it, or are embedded as data URIs."""
        def image(file_name: str) -> str:
            c = self.chart(file_name)
            return f"![{c.title}]({c.data_uri() if embed_images else c.file_name})\n"

        c = self.counts
        headline = [("files", c["files"]), ("articles", c["articles"]), ("stories", c["stories"]),
                    ("entities", c["entities"]), ("mentions", c["mentions"]), ("rejected", c["rejected"])]
        headline += [(f"rejected: {reason}", n) for reason, n in self.rejected_by_reason.items()]
        out = ["# News warehouse report\n\n",
               "## Headline\n\n",
               markdown_table(["", "count"], headline),
               "\n`rejected` counts rows of `rejections`: a spam section, a mis-dated article or a rejected file each.\n\n",
               "## Top entities per month\n\n"]
        if self.top_entities:
            latest = self.top_entities[0][0].strftime("%Y-%m")
            out.append(f"The {self.per_month} most mentioned entities of each month, over the {self.months} months "
                       f"up to {latest} (months without dated mentions and undated articles are left out).\n\n")
            rows = [(m.strftime("%Y-%m"), " · ".join(f"{md_cell(name, 40)} ({n})" for name, _label, n in top))
                    for m, top in self.top_entities]
            out += [markdown_table(["month", "entities (mentions)"], rows, width=400), "\n"]
        else:
            out.append("_No dated entity mentions yet._\n\n")
        out.append(image(ENTITY_CHART))
        out += ["\n## Rejections by stage and reason\n\n"]
        if self.rejections:
            out += [markdown_table(["stage", "reason", "rejected", "files", "example"], self.rejections, width=90), "\n"]
        else:
            out.append("_Nothing was rejected._\n\n")
        out.append(image(REJECTION_CHART))
        return "".join(out)


def build_report(con: "duckdb.DuckDBPyConnection", months: int = RECENT_MONTHS, per_month: int = TOP_PER_MONTH,
                 chart_entities: int = CHART_ENTITIES) -> Report:
    """Read the warehouse through `con` (only SELECTs) and draw the charts."""
    def q(sql: str, params=None) -> list[tuple]:
        return con.execute(sql, params or []).fetchall()

    files, articles, stories, entities, mentions, rejected = q("""
        SELECT (SELECT count(*) FROM raw_files), (SELECT count(*) FROM articles),
               (SELECT count(DISTINCT story_id) FROM articles), (SELECT count(*) FROM entities),
               (SELECT count(*) FROM mentions), (SELECT count(*) FROM rejections)""")[0]
    counts = {"files": files, "articles": articles, "stories": stories, "entities": entities,
              "mentions": mentions, "rejected": rejected}
    by_reason = dict(q("SELECT reason, count(*) AS n FROM rejections GROUP BY reason ORDER BY n DESC, reason"))

    # The window ends at the latest month with data, not at the wall clock, so a report of an old corpus is not empty.
    recent = q("""
        SELECT month, canonical_name, label, mention_count, article_count, entity_id
        FROM entity_timeline
        WHERE month > (SELECT max(month) FROM entity_timeline) - to_months(?::INTEGER)
        ORDER BY month DESC, mention_count DESC, article_count DESC, canonical_name, entity_id""", [months])
    top: dict[date, list[tuple[str, str, int]]] = {}
    for month, name, label, n, _articles, _id in recent:
        ranked = top.setdefault(month, [])
        if len(ranked) < per_month:
            ranked.append((name, label, n))

    rejections = q("""
        SELECT stage, reason, rejected, files, example_detail FROM rejections_summary
        ORDER BY rejected DESC, stage, reason""")

    report = Report(counts=counts, rejected_by_reason=by_reason, top_entities=list(top.items()),
                    months=months, per_month=per_month, rejections=rejections)
    report.charts = [_entity_chart(recent, chart_entities), _rejection_chart(rejections)]
    return report


def read_report(warehouse_path: Path, **kwargs) -> Report:
    """`build_report` over a read-only connection to the warehouse file (waits while a writer holds it)."""
    from assets.load import MEMORY_LIMIT, connect

    con = connect(warehouse_path, read_only=True, memory_limit=MEMORY_LIMIT)
    try:
        return build_report(con, **kwargs)
    finally:
        con.close()


def write_report(report: Report, directory: Path) -> dict[str, Path]:
    """Write `report.md` and the PNG charts into `directory`; returns their paths by file name."""
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, data in [*((c.file_name, c.png) for c in report.charts), (REPORT_FILE, report.markdown().encode())]:
        path = directory / name
        tmp = path.with_name(name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        written[name] = path
    return written


# ----------------------------------------------------------------------------- charts

def _figure(title: str, height: float = 4.0):
    """A figure on the Agg canvas (no pyplot, so no global backend state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_title(title)
    return fig, ax


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="grey")
    ax.set_xticks([])
    ax.set_yticks([])


def _entity_chart(recent: list[tuple], n_entities: int) -> Chart:
    title = "Mentions per month of the most mentioned entities"
    fig, ax = _figure(title, height=4.0 if recent else 2.5)
    if not recent:
        _empty(ax, "No dated entity mentions yet")
        return Chart(ENTITY_CHART, title, _png(fig))
    totals: dict[str, int] = {}
    legend: dict[str, str] = {}
    for _m, name, label, n, _a, entity_id in recent:
        totals[entity_id] = totals.get(entity_id, 0) + n
        legend[entity_id] = f"{name} ({label})"
    chosen = sorted(totals, key=lambda e: (-totals[e], legend[e]))[:n_entities]
    months = _month_range(min(r[0] for r in recent), max(r[0] for r in recent))
    series = {e: dict.fromkeys(months, 0) for e in chosen}
    for m, _name, _label, n, _a, entity_id in recent:
        if entity_id in series:
            series[entity_id][m] += n
    x = list(range(len(months)))
    for e in chosen:
        ax.plot(x, list(series[e].values()), marker="o", label=legend[e])
    slanted = len(months) > 6
    ax.set_xticks(x, [m.strftime("%Y-%m") for m in months], rotation=45 if slanted else 0, ha="right" if slanted else "center")
    ax.set_ylabel("mentions")
    ax.set_ylim(bottom=0)
    ax.yaxis.get_major_locator().set_params(integer=True)
    fig.legend(loc="outside right upper", fontsize="small", frameon=False)
    return Chart(ENTITY_CHART, title, _png(fig))


def _rejection_chart(rejections: list[tuple]) -> Chart:
    title = "Rejections by reason"
    fig, ax = _figure(title, height=min(8.0, 1.5 + 0.4 * len(rejections)) if rejections else 2.5)
    if not rejections:
        _empty(ax, "Nothing was rejected")
        return Chart(REJECTION_CHART, title, _png(fig))
    rows = list(reversed(rejections))  # largest at the top of a horizontal bar chart
    bars = ax.barh([f"{stage}: {reason}" for stage, reason, *_ in rows], [r[2] for r in rows], color="tab:red")
    ax.bar_label(bars, padding=3)
    ax.set_xlabel("rejected rows")
    ax.xaxis.get_major_locator().set_params(integer=True)
    return Chart(REJECTION_CHART, title, _png(fig))


def _month_range(first: date, last: date) -> list[date]:
    months, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        months.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


# ----------------------------------------------------------------------------- Dagster asset
import dagster as dg  # noqa: E402

from assets.load import warehouse  # noqa: E402
from pipelines.batches import after_batches  # noqa: E402
from pipelines.resources import NewsEtlSettings  # noqa: E402


@dg.asset(
    group_name="report",
    deps=[warehouse],
    automation_condition=after_batches,
    description=("A Markdown report of the warehouse: headline counts, top entities per month, rejections by "
                 "stage and reason, with charts. Written to `<warehouse>.report/` and shown in the metadata panel."),
)
def report(news: NewsEtlSettings) -> dg.MaterializeResult:
    s = news.settings()
    built = read_report(s.warehouse_path)
    written = write_report(built, s.report_dir)
    return dg.MaterializeResult(metadata={
        "report": dg.MetadataValue.md(built.markdown(embed_images=True)),
        "path": dg.MetadataValue.path(str(written[REPORT_FILE])),
        **{f"chart_{name.removesuffix('.png')}": dg.MetadataValue.path(str(p))
           for name, p in written.items() if name.endswith(".png")},
        **{name: dg.MetadataValue.int(int(n)) for name, n in built.counts.items()},
    })
