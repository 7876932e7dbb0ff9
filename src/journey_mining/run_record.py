"""The record of one run: what ``run_pipeline`` returns and what ``mining.runs`` keeps.

A run is recorded ``running`` when it starts (after dead runs were marked ``aborted`` and
logged refusals copied in: ``runs.reconcile_runs``), and ``succeeded``, ``failed`` or
``aborted`` (interrupted) when it ends, with its rows per source and its warnings.

Example:
    >>> new_run_id()[:2]  # doctest: +SKIP
    '20'
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from pydantic import BaseModel

from journey_mining.config import PipelineConfig
from journey_mining.connectors.protocol import SourceLoad
from journey_mining.errors import redact
from journey_mining.report.stitching import SharedIdentifierLine, StitchingLine
from journey_mining.runs import WarehouseLock, reconcile_runs
from journey_mining.warehouse import run_sql


class Conformance(BaseModel):
    """How the run's journeys compare with the happy path."""

    journeys_conforming: int
    share_conforming: float
    share_reached_goal: float
    mean_fitness: float | None


class RunResult(BaseModel):
    """What one pipeline run did."""

    run_id: str
    pipeline: str
    warehouse: str
    sources: list[SourceLoad]
    journeys: int
    variants: int
    variants_aligned: int
    variants_from_cache: int
    discovered_model: str | None
    discovered_with: str | None = None
    status: str = "succeeded"
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_s: float | None = None
    conformance: Conformance | None = None
    warnings: list[str] = []
    stitching: list[StitchingLine] = []
    shared_identifiers: list[SharedIdentifierLine] = []
    report: str | None = None

    @property
    def rows_read(self) -> int:
        """Rows read from files loaded in this run, all sources."""
        return sum(s.rows_read for s in self.sources)

    @property
    def rows_loaded(self) -> int:
        """Rows loaded into raw tables in this run, all sources."""
        return sum(s.rows_loaded for s in self.sources)

    @property
    def rows_quarantined(self) -> int:
        """Rows sent to quarantine in this run, all sources."""
        return sum(s.rows_quarantined for s in self.sources)


class SourceCounts(BaseModel):
    """One source's files and rows in one run (as ``mining.run_sources`` keeps them)."""

    source: str
    files_loaded: int
    files_skipped: int
    rows_read: int
    rows_loaded: int
    rows_quarantined: int


class RunRecord(BaseModel):
    """The run record ``run --json`` prints: counts per source, results, duration, warnings."""

    run_id: str
    pipeline: str
    warehouse: str
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    duration_s: float | None
    sources: list[SourceCounts]
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    journeys: int
    variants: int
    variants_aligned: int
    variants_from_cache: int
    conformance: Conformance | None
    warnings: list[str]
    stitching: list[StitchingLine]
    shared_identifiers: list[SharedIdentifierLine]
    discovered_model: str | None


def run_record(result: RunResult) -> RunRecord:
    """The flat record of ``result`` (per-source counts instead of per-file loads).

    Example:
        >>> # run_record(jm.run("pipelines/demo.yaml")).model_dump_json()  # doctest: +SKIP
    """
    sources = [
        SourceCounts(
            source=s.source,
            files_loaded=sum(f.status != "skipped" for f in s.files),
            files_skipped=sum(f.status == "skipped" for f in s.files),
            rows_read=s.rows_read,
            rows_loaded=s.rows_loaded,
            rows_quarantined=s.rows_quarantined,
        )
        for s in result.sources
    ]
    data = result.model_dump(exclude={"sources", "discovered_with"})
    return RunRecord(
        **data,
        sources=sources,
        rows_read=result.rows_read,
        rows_loaded=result.rows_loaded,
        rows_quarantined=result.rows_quarantined,
    )


def new_run_id() -> str:
    """A unique run id that sorts in start order, such as ``20261122T101500.123456Z-3f9a``.

    Microseconds keep two runs started in the same second in order: SQL sources keep the
    row of their latest load by this order.
    """
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ") + "-" + secrets.token_hex(2)


def record_run_start(
    con: duckdb.DuckDBPyConnection, lock: WarehouseLock, pipeline: PipelineConfig
) -> None:
    run_sql(con, "meta/create_tables.sql")
    reconcile_runs(con, lock)
    con.execute(
        "INSERT INTO mining.runs (run_id, pipeline, started_at, status) VALUES (?, ?, ?, 'running')",
        [lock.holder.run_id, pipeline.name, lock.holder.started_at],
    )


def record_run_end(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    loads: list[SourceLoad],
    error: str | None,
    status: str | None = None,
    warnings: list[str] | None = None,
) -> tuple[datetime, datetime]:
    """Write the run's per-source rows and its end; return when it started and finished."""
    for load in loads:
        con.execute(
            "INSERT INTO mining.run_sources VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                load.source,
                sum(f.status != "skipped" for f in load.files),
                sum(f.status == "skipped" for f in load.files),
                load.rows_read,
                load.rows_loaded,
                load.rows_quarantined,
            ],
        )
    con.execute(
        "UPDATE mining.runs SET finished_at = now(), status = ?, error = ?, rows_read = ?, "
        "rows_loaded = ?, rows_quarantined = ?, warnings = ? WHERE run_id = ?",
        [
            status or ("failed" if error else "succeeded"),
            error,
            sum(s.rows_read for s in loads),
            sum(s.rows_loaded for s in loads),
            sum(s.rows_quarantined for s in loads),
            warnings or [],
            run_id,
        ],
    )
    row = con.execute(
        "SELECT started_at, finished_at FROM mining.runs WHERE run_id = ?", [run_id]
    ).fetchone()
    assert row is not None
    return row[0], row[1]


def end_badly(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    loads: list[SourceLoad],
    error: str,
    status: str,
) -> None:
    """Record a failed or interrupted run and close ``con`` (a failed transform has rolled back)."""
    try:
        record_run_end(con, run_id, loads, redact(error), status=status)
    finally:
        con.close()


def conformance(con: duckdb.DuckDBPyConnection) -> Conformance:
    row = con.execute(
        "SELECT count(*) FILTER (WHERE conforms), coalesce(avg(conforms::INTEGER), 0), "
        "coalesce(avg(reached_goal::INTEGER), 0), avg(fitness) FROM mining.journeys"
    ).fetchone()
    assert row is not None
    return Conformance(
        journeys_conforming=int(row[0]),
        share_conforming=float(row[1]),
        share_reached_goal=float(row[2]),
        mean_fitness=None if row[3] is None else float(row[3]),
    )


def pipeline_warehouse(pipeline: PipelineConfig, warehouse: Path | None = None) -> Path:
    """The warehouse a run of ``pipeline`` writes: ``warehouse`` if given (relative to the
    working directory), else the pipeline's (relative to the pipeline file's folder)."""
    return Path(warehouse) if warehouse else pipeline.warehouse_path()
