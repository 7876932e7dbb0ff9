"""The public façade: what the CLI, the nightly job and notebooks call.

Every function takes paths or plain values and returns pydantic records or pandas frames.

Example:
    >>> import journey_mining as jm
    >>> result = jm.demo("/tmp/jm-demo", customers=200)      # doctest: +SKIP
    >>> jm.variants(result.warehouse).head()                  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel

from journey_mining.checking import CheckResult, check_pipeline
from journey_mining.config import SourceConfig, load_pipeline
from journey_mining.demo import DemoGroundTruth, generate_demo
from journey_mining.errors import UsageError
from journey_mining.init import InitResult, init_exports
from journey_mining.pipeline import RunResult, run_pipeline
from journey_mining.progress import ProgressEvent, ProgressSink
from journey_mining.readers import (
    CONTRACT_TABLES,
    deviations,
    finding_journeys,
    findings,
    friction,
    funnel,
    journeys,
    process_map,
    segments,
    table,
    trends,
    variants,
)
from journey_mining.report.build import ReportResult, report_path, write_report
from journey_mining.report.summary import Summary, build_summary
from journey_mining.resources import resource_dir
from journey_mining.run_record import RunRecord, pipeline_warehouse, run_record
from journey_mining.warehouse import connect, table_exists

__all__ = [
    "CONTRACT_TABLES",
    "WAREHOUSE_ENV",
    "CheckResult",
    "DemoResult",
    "InitResult",
    "ProgressEvent",
    "ReportResult",
    "RunRecord",
    "RunResult",
    "SourceStatus",
    "check",
    "demo",
    "deviations",
    "finding_journeys",
    "findings",
    "friction",
    "funnel",
    "init",
    "journeys",
    "locate_warehouse",
    "process_map",
    "report",
    "resource_dir",
    "run",
    "run_record",
    "segments",
    "sources",
    "summary",
    "table",
    "trends",
    "variants",
]

DEMO_PIPELINE = "demo.yaml"
WAREHOUSE_ENV = "JOURNEY_MINING_WAREHOUSE"


class DemoResult(RunResult):
    """A demo run: the pipeline's result plus where the exports are and their ground truth."""

    exports_dir: str
    ground_truth: DemoGroundTruth


def run(
    pipeline: str | Path,
    data_dir: str | Path | None = None,
    warehouse: str | Path | None = None,
    outputs_dir: str | Path | None = None,
    progress: ProgressSink | None = None,
    memory_limit: str | None = None,
) -> RunResult:
    """Run a declared pipeline (YAML file) end to end.

    ``memory_limit`` (``"2GB"``) overrides the pipeline's cap on DuckDB's memory.
    ``progress`` receives ``ProgressEvent`` values (``print`` shows them). One run at a time
    per warehouse: a second raises ``WarehouseBusy`` naming the run that holds it. The
    result's ``warnings`` say what a nightly job should alert on (a source that joins no
    other source, …); ``run_record(result)`` is what ``run --json`` prints.

    Example:
        >>> jm.run("pipelines/demo.yaml", data_dir="journey-mining-demo/exports")  # doctest: +SKIP
    """
    config = load_pipeline(pipeline)
    return run_pipeline(
        config,
        data_dir=Path(data_dir) if data_dir else None,
        warehouse=Path(warehouse) if warehouse else None,
        outputs_dir=Path(outputs_dir) if outputs_dir else None,
        progress=progress,
        memory_limit=memory_limit,
    )


def demo(
    out: str | Path = "journey-mining-demo",
    customers: int = 3000,
    seed: int = 7,
    progress: ProgressSink | None = None,
) -> DemoResult:
    """Generate the demo company's exports under ``out/exports`` and run the demo pipeline.

    The warehouse is ``out/journeys.duckdb``; the discovered model ``out/discovered_model.bpmn``.

    Example:
        >>> jm.demo("/tmp/jm-demo", customers=200).journeys > 0  # doctest: +SKIP
        True
    """
    root = Path(out)
    exports = root / "exports"
    if progress:
        progress(ProgressEvent("stage", f"generating {customers:,} demo customers"))
    truth = generate_demo(exports, customers=customers, seed=seed)
    result = run(
        resource_dir("pipelines") / DEMO_PIPELINE,
        data_dir=exports,
        warehouse=root / "journeys.duckdb",
        outputs_dir=root,
        progress=progress,
    )
    return DemoResult(**result.model_dump(), exports_dir=str(exports), ground_truth=truth)


def locate_warehouse(
    warehouse: str | Path | None = None,
    pipeline: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Path:
    """The warehouse a reading command reads: ``warehouse``, else the pipeline's, else
    ``$JOURNEY_MINING_WAREHOUSE``; there is no silent default.

    Example:
        >>> str(locate_warehouse(environ={"JOURNEY_MINING_WAREHOUSE": "/data/j.duckdb"}))
        '/data/j.duckdb'
    """
    if warehouse is not None:
        return Path(warehouse)
    if pipeline is not None:
        return pipeline_warehouse(load_pipeline(pipeline))
    value = (os.environ if environ is None else environ).get(WAREHOUSE_ENV, "").strip()
    if value:
        return Path(value)
    raise UsageError(
        "no warehouse named. Fix: pass --warehouse/-w FILE, or --pipeline/-p PIPELINE.yaml "
        f"(its warehouse), or set {WAREHOUSE_ENV}=FILE."
    )


def init(
    exports_dir: str | Path,
    output: str | Path | None = None,
    force: bool = False,
    timezone: str | None = None,
    day_first: bool | None = None,
) -> InitResult:
    """Inspect a folder of exports; write a pipeline (and a preset per unknown export).

    Shipped presets are recognised by their columns; every other export gets a preset with
    the roles detected in its values (time format and zone, event id, identifiers and their
    kind, activity, owner, rating), each guess commented with what it saw. ``output``
    defaults to ``pipelines/<folder name>.yaml``; no file is overwritten unless ``force``.
    ``timezone``: the zone of times written without an offset (default UTC, flagged).
    ``day_first``: how to read numeric dates whose every day is ≤ 12 (default: like the
    other exports, else day-first, flagged).

    Example:
        >>> result = jm.init("exports", "pipelines/acme.yaml")  # doctest: +SKIP
        >>> result.link_on  # doctest: +SKIP
        ['email', 'contact_id', 'user_id']
    """
    if timezone is not None:
        _check_timezone(timezone)
    return init_exports(exports_dir, output, force=force, timezone=timezone, day_first=day_first)


def check(
    pipeline: str | Path,
    data_dir: str | Path | None = None,
    sample_rows: int = 5,
    quarantine_rows: int = 20,
) -> CheckResult:
    """Dry-run a pipeline: validate it, and show what a first run would load and quarantine.

    Every source is landed in an in-memory DuckDB by the same code ``run`` uses (no
    warehouse is opened or created): the files each source matches with their row counts,
    ``sample_rows`` parsed canonical events per source, and the rows that would be
    quarantined with their reasons (the first ``quarantine_rows``; the counts are complete).
    A config error raises ``ConfigError``; a source that cannot be loaded has ``error`` set.

    Example:
        >>> result = jm.check("pipelines/acme.yaml")  # doctest: +SKIP
        >>> [(s.source, s.rows_read, s.rows_quarantined) for s in result.sources]  # doctest: +SKIP
        [('deals', 1200, 3), ('calls', 5400, 0)]
    """
    return check_pipeline(
        pipeline, data_dir, sample_rows=sample_rows, quarantine_rows=quarantine_rows
    )


def _check_timezone(name: str) -> None:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"time zone {name!r} is unknown. Fix: use an IANA name like Europe/Amsterdam."
        ) from None


class SourceStatus(BaseModel):
    """A configured source and what the warehouse holds of it."""

    source: str
    preset: str
    location: str
    files_loaded: int
    rows_loaded: int
    rows_quarantined: int
    cursor: str | None
    last_loaded_at: datetime | None


def sources(pipeline: str | Path, warehouse: str | Path | None = None) -> list[SourceStatus]:
    """The pipeline's sources with their last load: files, rows, quarantined, cursor, when.

    Example:
        >>> [s.source for s in jm.sources("pipelines/demo.yaml")]  # doctest: +SKIP
        ['crm_contacts', 'crm_deal_stages', 'support_tickets', 'product_events']
    """
    config = load_pipeline(pipeline)
    con = connect(
        pipeline_warehouse(config, Path(warehouse) if warehouse else None), read_only=True
    )
    try:
        files = (
            {
                str(r[0]): r[1:]
                for r in con.execute(
                    "SELECT source, count(*), sum(rows_loaded), sum(rows_quarantined), max(loaded_at) "
                    "FROM meta.loaded_files GROUP BY source"
                ).fetchall()
            }
            if table_exists(con, "meta.loaded_files")
            else {}
        )
        cursors = (
            {
                str(r[0]): (str(r[1]), r[2])
                for r in con.execute(
                    "SELECT source, last_value, updated_at FROM meta.source_cursors"
                ).fetchall()
            }
            if table_exists(con, "meta.source_cursors")
            else {}
        )
        raw_rows = {
            s.name: int(con.execute(f"SELECT count(*) FROM raw.{s.name}").fetchone()[0])  # type: ignore[index]
            for s in config.sources
            if table_exists(con, f"raw.{s.name}")
        }
        quarantined = (
            {
                str(r[0]): int(r[1])
                for r in con.execute(
                    "SELECT source, count(*) FROM mining.quarantine GROUP BY source"
                ).fetchall()
            }
            if table_exists(con, "mining.quarantine")
            else {}
        )
    finally:
        con.close()
    result = []
    for source in config.sources:
        file_stats = files.get(source.name)
        cursor = cursors.get(source.name)
        result.append(
            SourceStatus(
                source=source.name,
                preset=source.preset if isinstance(source.preset, str) else source.preset.name,
                location=_location(source),
                files_loaded=int(file_stats[0]) if file_stats else 0,
                rows_loaded=raw_rows.get(source.name, 0),
                rows_quarantined=quarantined.get(source.name, 0),
                cursor=cursor[0] if cursor else None,
                last_loaded_at=cursor[1] if cursor else (file_stats[3] if file_stats else None),
            )
        )
    return result


def _location(source: SourceConfig) -> str:
    if source.sql is not None:
        return f"sql: {source.sql.table or 'query'}"
    return str(source.path)


def summary(warehouse: str | Path, top: int = 10) -> Summary:
    """Headline figures of a warehouse: journeys, conformance, deviations, funnel, findings."""
    con = connect(warehouse, read_only=True)
    try:
        return build_summary(con, top=top)
    finally:
        con.close()


def report(
    warehouse: str | Path,
    out: str | Path = "report.html",
    title: str | None = None,
) -> ReportResult:
    """Write the self-contained HTML report of a warehouse (one file, works offline).

    In a notebook the result displays the report inline.

    Example:
        >>> jm.report("journey-mining-demo/journeys.duckdb", "report.html").bytes > 0  # doctest: +SKIP
        True
    """
    return write_report(warehouse, out, title=title)


def report_targets(
    pipeline: str | Path | None, warehouse: str | Path | None, out: str | Path | None
) -> tuple[Path, Path]:
    """Which warehouse to report on and where to write, from a pipeline and/or explicit paths.

    The warehouse as every reading command finds it (:func:`locate_warehouse`); the output is
    ``out``, else the pipeline's ``outputs.report``, else ``report.html``.

    Example:
        >>> report_targets(None, "w.duckdb", None)
        (PosixPath('w.duckdb'), PosixPath('report.html'))
    """
    target_warehouse = locate_warehouse(warehouse, pipeline)
    if out is not None:
        return target_warehouse, Path(out)
    if pipeline is not None:
        chosen = report_path(load_pipeline(pipeline), target_warehouse)
        if chosen is not None:
            return target_warehouse, chosen
    return target_warehouse, Path("report.html")
