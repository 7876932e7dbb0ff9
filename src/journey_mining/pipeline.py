"""Run a declared pipeline: ingest → stitch → journeys → mine → compare → write tables.

Loading is incremental and transactional per source (see ``connectors.files``). Everything
after loading is rebuilt from the raw tables in one transaction, deterministically, so a
re-run on the same inputs leaves every table but ``mining.runs``/``mining.run_sources``
identical, and a failed run leaves the previous results readable.

Example:
    >>> # result = run_pipeline(load_pipeline("pipelines/demo.yaml"), data_dir=Path("exports"))  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

import duckdb

from journey_mining.config import PipelineConfig, check_memory_limit
from journey_mining.connectors.protocol import SourceLoad
from journey_mining.connectors.sources import compile_sources
from journey_mining.errors import ConfigError, JourneyMiningError, ReportError
from journey_mining.happy_path import HappyPath, load_happy_path
from journey_mining.loading import load_sources
from journey_mining.mining.compare import read_dfg, read_variant_log
from journey_mining.mining.conformance import bpmn_model, discover_model_bpmn, happy_path_model
from journey_mining.mining.models import ProcessModel
from journey_mining.progress import ProgressEvent, ProgressSink, ignore
from journey_mining.report.build import report_path, write_report
from journey_mining.report.stitching import read_stitching
from journey_mining.run_record import (
    RunResult,
    conformance,
    end_badly,
    new_run_id,
    pipeline_warehouse,
    record_run_end,
    record_run_start,
)
from journey_mining.runs import WarehouseLock
from journey_mining.snapshot import held_copy, spill_path
from journey_mining.transform import Stages, TransformContext, run_models, transform_models
from journey_mining.transform.declarations import check_path_activities
from journey_mining.warehouse import connect

__all__ = ["RunResult", "new_run_id", "pipeline_warehouse", "run_pipeline"]


def _happy_path(
    pipeline: PipelineConfig,
) -> tuple[HappyPath | None, ProcessModel | None, str]:
    """The authored path (YAML), its process model, and the goal activity.

    A BPMN happy path is a model only: it has no funnel steps, and its goal comes from the
    pipeline's ``goal`` key.
    """
    file = pipeline.happy_path_file()
    if file is None:
        return None, None, pipeline.goal or ""
    if file.suffix.lower() in (".bpmn", ".xml"):
        if not pipeline.goal:
            raise ConfigError(
                f"{pipeline.name}: the happy path {file.name} is BPMN, which names no goal. "
                "Fix: add 'goal: <activity>' to the pipeline."
            )
        return None, bpmn_model(file), pipeline.goal
    happy_path = load_happy_path(file)
    return happy_path, happy_path_model(happy_path), pipeline.goal or happy_path.goal


def run_pipeline(
    pipeline: PipelineConfig,
    data_dir: Path | None = None,
    warehouse: Path | None = None,
    outputs_dir: Path | None = None,
    progress: ProgressSink | None = None,
    memory_limit: str | None = None,
) -> RunResult:
    r"""Run ``pipeline`` end to end and return what it did (see the module doc).

    ``memory_limit`` (or the pipeline's ``memory_limit``), such as ``2GB``, caps DuckDB's
    memory; beyond it DuckDB spills to a temporary folder beside the warehouse. One run at
    a time per warehouse: a second is refused with ``WarehouseBusy`` naming the first.
    ``progress`` receives ``ProgressEvent`` values (``print`` works).
    """
    data_root = Path(data_dir) if data_dir else pipeline.data_path()
    warehouse_path = pipeline_warehouse(pipeline, warehouse)
    context = _prepare(pipeline)
    limit = memory_limit or pipeline.memory_limit
    checked_limit = check_memory_limit(limit) if limit else None  # checked before the lock
    run_id = new_run_id()
    clock = time.monotonic()
    with held_copy(warehouse_path, run_id, pipeline.name) as (lock, target):  # snapshot.py
        report = _heartbeat(lock, progress or ignore)
        con = connect(target, memory_limit=checked_limit, spill=spill_path(warehouse_path))
        loads: list[SourceLoad] = []
        stages = Stages()
        try:
            record_run_start(con, lock, pipeline)
            with stages.measure(None, "load", "load", ()):
                loads = load_sources(con, pipeline, context.compiled, data_root, run_id, report)
            context.report = report
            result = _transform(con, context, stages)
            outputs = Path(outputs_dir or pipeline.outputs_path() or warehouse_path.parent)
            discovered, discovered_with = _discover(
                con, pipeline, outputs, result[0], stages, report
            )
            recorded = _record_end(con, run_id, loads, stages)
        except BaseException as err:
            _record_stages(con, stages, run_id)
            _end_badly(con, run_id, loads, err)
            raise
        con.close()
    report_file = report_path(pipeline, warehouse_path, outputs_dir) if result[0] else None
    _write_report(pipeline, run_id, warehouse_path, report_file, progress or ignore)
    return RunResult(
        run_id=run_id,
        pipeline=pipeline.name,
        warehouse=str(warehouse_path),
        sources=loads,
        journeys=result[0],
        variants=result[1],
        variants_aligned=result[2],
        variants_from_cache=result[3],
        discovered_model=str(discovered) if discovered else None,
        discovered_with=discovered_with,
        duration_s=round(time.monotonic() - clock, 3),
        **recorded,
        report=str(report_file) if report_file is not None else None,
    )


def _heartbeat(lock: WarehouseLock, user: ProgressSink) -> ProgressSink:
    """The run's progress sink: every event also tells the lock the run is alive."""

    def report(event: ProgressEvent) -> None:
        lock.heartbeat()
        user(event)

    return report


def _prepare(pipeline: PipelineConfig) -> TransformContext:
    """Everything the run needs from its declarations, checked before any work."""
    happy_path, model, goal = _happy_path(pipeline)
    check_path_activities(pipeline, happy_path, model, goal)
    return TransformContext(pipeline, compile_sources(pipeline), happy_path, model, goal)


def _record_end(
    con: duckdb.DuckDBPyConnection, run_id: str, loads: list[SourceLoad], stages: Stages
) -> dict[str, Any]:
    """Record the run's stages and its end; return the fields of its result they give."""
    stitching, shared = read_stitching(con)
    warnings = [w for load in loads for w in load.warnings]  # e.g. an identifier column gone
    warnings += [line.warning for line in stitching if line.warning]
    checked = conformance(con)
    stages.write(con, run_id)
    started_at, finished_at = record_run_end(con, run_id, loads, None, warnings=warnings)
    return {
        "started_at": started_at,
        "finished_at": finished_at,
        "conformance": checked,
        "warnings": warnings,
        "stitching": stitching,
        "shared_identifiers": shared,
    }


def _end_badly(
    con: duckdb.DuckDBPyConnection, run_id: str, loads: list[SourceLoad], err: BaseException
) -> None:
    """Record the run as failed (an error) or aborted (Ctrl-C, SIGTERM turned into SystemExit)."""
    if isinstance(err, JourneyMiningError):
        end_badly(con, run_id, loads, str(err), "failed")
    elif isinstance(err, Exception):
        end_badly(con, run_id, loads, f"{type(err).__name__}: {err}", "failed")
    else:
        end_badly(con, run_id, loads, f"interrupted ({type(err).__name__})", "aborted")


def _discover(
    con: duckdb.DuckDBPyConnection,
    pipeline: PipelineConfig,
    outputs: Path,
    journeys: int,
    stages: Stages,
    report: ProgressSink,
) -> tuple[Path | None, str | None]:
    """Discover the process model from the variants; write it as BPMN into ``outputs``."""
    if not journeys:
        return None, None
    report(ProgressEvent("stage", "discovering the process model"))
    outputs.mkdir(parents=True, exist_ok=True)
    discovered = outputs / "discovered_model.bpmn"
    with stages.measure(None, "discovery", "discovery", ()):
        discovered_with = discover_model_bpmn(
            read_variant_log(con),
            discovered,
            noise_threshold=pipeline.discovery_noise,
            dfg=read_dfg(con),
        )
    return discovered, discovered_with


def _write_report(
    pipeline: PipelineConfig,
    run_id: str,
    warehouse: Path,
    report_file: Path | None,
    progress: ProgressSink,
) -> None:
    """Write the HTML report of a run that committed (after the run's lock is released)."""
    if report_file is None:
        return
    progress(ProgressEvent("stage", "writing the report"))
    try:
        write_report(warehouse, report_file, title=pipeline.outputs.report_title)
    except JourneyMiningError as err:
        raise ReportError(
            f"run {run_id} succeeded (its tables are committed), but writing its report "
            f"failed: {err}"
        ) from None


def _record_stages(con: duckdb.DuckDBPyConnection, stages: Stages, run_id: str) -> None:
    """Keep a failed run's measured stages (which one failed, and how far it got)."""
    with contextlib.suppress(duckdb.Error):  # the connection may be unusable after the failure
        stages.write(con, run_id)


def _transform(
    con: duckdb.DuckDBPyConnection, context: TransformContext, stages: Stages
) -> tuple[int, int, int, int]:
    """Rebuild staging, identities, journeys and every mart in one transaction (the runner)."""
    run_models(con, transform_models(), context, stages, context.report)
    counts = con.execute(
        "SELECT (SELECT count(*) FROM mining.journeys), (SELECT count(*) FROM mining.variants)"
    ).fetchone()
    assert counts is not None
    return int(counts[0]), int(counts[1]), context.aligned, context.cached
