"""Build the HTML report of a warehouse: gather the aggregates, lay out the map, write one file.

The page's data is one JSON document (``payload``) embedded in the HTML; its parts are
built by :mod:`.processmap`, :mod:`.questions`, :mod:`.journeymap` and :mod:`.tables` from
the contract tables and ``sql/report/*.sql``. The file is written to a temporary name
beside the target and renamed, so a failed build never leaves half a report.

Example:
    >>> # result = write_report("journeys.duckdb", "report.html")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import duckdb
from pydantic import BaseModel

from journey_mining.config import PipelineConfig
from journey_mining.errors import ReportError
from journey_mining.report import charts, tables
from journey_mining.report.journeymap import build_journey_map
from journey_mining.report.page import render_page
from journey_mining.report.processmap import build_map
from journey_mining.report.queries import Reader
from journey_mining.report.questions import build_questions, profile
from journey_mining.warehouse import connect, require_tables

REQUIRED = (
    "mining.journey_events",
    "mining.journeys",
    "mining.variants",
    "mining.dfg_edges",
    "mining.endpoints",
)


class ReportResult(BaseModel):
    """A written report: where, how big, how long it took, and what it had to leave out."""

    path: str
    bytes: int
    seconds: float
    notes: list[str]

    def _repr_html_(self) -> str:
        """Shown inline in a notebook: the report itself, in a frame."""
        from html import escape

        page = Path(self.path).read_text(encoding="utf-8")
        return (
            f'<iframe srcdoc="{escape(page, quote=True)}" style="width:100%;height:900px;'
            'border:1px solid #ddd;border-radius:6px" sandbox="allow-scripts"></iframe>'
        )


def _version() -> str:
    try:
        return version("journey-mining")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "dev"


def build_payload(con: duckdb.DuckDBPyConnection, title: str | None = None) -> dict[str, Any]:
    """Everything the page shows, as JSON-ready data (see docs/report.md for each part)."""
    require_tables(con, *REQUIRED)
    reader = Reader(con)
    prof = profile(reader)
    process_map = build_map(reader, prof["modes"])
    funnel = tables.funnel(reader)
    referenced = [r for e in process_map["edges"] for r in e.get("top_ranks") or []]
    referenced += [r for n in process_map["nodes"] for r in n.get("top_ranks") or []]
    journey_map = build_journey_map(
        reader,
        process_map["nodes"],
        process_map["happy_path"]["steps"],
        "rating" in prof["missing"],
    )
    referenced += [g["medoid_rank"] for g in journey_map["groups"]]
    segments = tables.segments(reader)
    referenced += [
        v[0] for a in segments["variants"].values() for s in a.values() for v in s["variants"]
    ]
    findings = tables.findings(reader)
    trends = tables.trends(reader)
    head = tables.headline(reader)
    run = head.get("run") or {}
    payload: dict[str, Any] = {
        "meta": {
            "title": title or f"Customer journeys — {run.get('pipeline') or 'warehouse'}",
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "version": _version(),
        },
        "headline": head,
        "map": process_map,
        "variants": tables.variants(reader, referenced),
        "segments": segments,
        "funnel": funnel,
        "trends": trends,
        "findings": findings,
        "deviation_rates": tables.deviation_rates(reader),
        "journey_map": journey_map,
        "questions": build_questions(reader, prof, funnel["rows"]),
        "ratings": prof["ratings"],
        "mix": prof["mix"],
        "notes": reader.notes,
    }
    payload["charts"] = {
        "funnel": charts.funnel_chart(funnel["rows"]),
        "trends": charts.trends_chart(trends),
        "findings": charts.findings_chart(
            [r for r in findings["rows"] if r.get("in_default_view", True)]
        ),
    }
    return payload


def write_report(warehouse: str | Path, out: str | Path, title: str | None = None) -> ReportResult:
    """Build the report of ``warehouse`` and write it to ``out`` (atomically)."""
    started = time.perf_counter()
    target = Path(out)
    con = connect(warehouse, read_only=True)
    try:
        payload = build_payload(con, title)
    finally:
        con.close()
    html = render_page(payload)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".report-", suffix=".html", dir=target.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(html)
        os.replace(temporary, target)
    except OSError as err:
        raise ReportError(
            f"cannot write the report to {str(target)!r}: {err.strerror}. "
            "Fix: choose a writable path with -o."
        ) from None
    return ReportResult(
        path=str(target),
        bytes=target.stat().st_size,
        seconds=round(time.perf_counter() - started, 3),
        notes=list(payload["notes"]),
    )


def report_path(
    pipeline: PipelineConfig, warehouse: Path, outputs_dir: Path | None = None
) -> Path | None:
    """Where the run writes its HTML report (``outputs.report``), or None when it writes none.

    Relative to ``outputs_dir`` (the argument, else the pipeline's, else beside the warehouse).
    """
    if pipeline.outputs.report is None:
        return None
    report = Path(pipeline.outputs.report)
    if report.is_absolute():
        return report
    return Path(outputs_dir or pipeline.outputs_path() or warehouse.parent) / report
