"""Load every source of a pipeline, each in its own transaction, reporting progress.

Each source lands through the connector protocol (``connectors.sources.load_source``: one
``LoadContext``, one transaction). File sources report bytes read of the files their glob
matches (the landing step names each file as it starts it); SQL sources report rows as
batches land.

Example:
    >>> # loads = load_sources(con, pipeline, compiled, Path("exports"), run_id, print)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import duckdb

from journey_mining.config import PipelineConfig
from journey_mining.connectors.compile import CompiledSource
from journey_mining.connectors.files import matching_files
from journey_mining.connectors.protocol import LoadContext, SourceLoad
from journey_mining.connectors.sources import load_source
from journey_mining.errors import SourceError
from journey_mining.progress import ProgressEvent, ProgressSink


class _FileProgress:
    """Turns a file loader's ``on_file(relative)`` calls into byte counts of one source."""

    def __init__(self, report: ProgressSink, source: str, files: list[Path]) -> None:
        self.report = report
        self.task = f"load {source}"
        self.label = f"loading {source}"
        self.sizes = [p.stat().st_size for p in files]
        self.total = sum(self.sizes)
        self.started = 0
        report(ProgressEvent(self.task, self.label, done=0, total=self.total, unit="bytes"))

    def __call__(self, relative: str) -> None:
        done = sum(self.sizes[: self.started])
        self.started += 1
        self.report(
            ProgressEvent(
                self.task, f"{self.label}: {relative}", done=done, total=self.total, unit="bytes"
            )
        )

    def finish(self, load: SourceLoad) -> None:
        skipped = sum(f.status == "skipped" for f in load.files)
        label = f"loaded {load.source}: {load.rows_read:,} rows" + (
            f", {skipped} unchanged file(s) skipped" if skipped else ""
        )
        self.report(
            ProgressEvent(
                self.task, label, done=self.total, total=self.total, unit="bytes", finished=True
            )
        )


def _batch_progress(report: ProgressSink, source: str) -> Callable[[int], None]:
    return lambda rows: report(
        ProgressEvent(f"load {source}", f"loading {source}", done=rows, unit="rows")
    )


def load_sources(
    con: duckdb.DuckDBPyConnection,
    pipeline: PipelineConfig,
    compiled: dict[str, CompiledSource],
    data_root: Path,
    run_id: str,
    report: ProgressSink,
) -> list[SourceLoad]:
    """Load every source in its own transaction, reporting bytes (files) or rows (SQL)."""
    loads: list[SourceLoad] = []
    for source in pipeline.sources:
        ctx = LoadContext(
            con=con,
            source=source,
            preset=pipeline.preset(source.name),
            compiled=compiled[source.name],
            run_id=run_id,
            data_dir=data_root,
            base_dir=pipeline.base_dir,
        )
        if source.sql is not None:
            loads.append(_load_sql(ctx, report))
        else:
            loads.append(_load_files(ctx, report))
    return loads


def _load_sql(ctx: LoadContext, report: ProgressSink) -> SourceLoad:
    name = ctx.name
    report(ProgressEvent(f"load {name}", f"loading {name}", 0, None, "rows"))
    load = load_source(replace(ctx, on_rows=_batch_progress(report, name)))
    report(
        ProgressEvent(
            f"load {name}",
            f"loaded {name}: {load.rows_read:,} rows",
            load.rows_read,
            load.rows_read,
            "rows",
            finished=True,
        )
    )
    return load


def _load_files(ctx: LoadContext, report: ProgressSink) -> SourceLoad:
    try:
        files = matching_files(
            ctx.data_dir, ctx.source.path or "", ctx.name, ctx.source.allow_outside_data_dir
        )
    except SourceError:
        files = []  # the loader raises the error that names the glob
    on_file = _FileProgress(report, ctx.name, files)
    load = load_source(replace(ctx, on_origin=on_file))
    on_file.finish(load)
    return load
