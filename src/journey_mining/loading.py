"""Load every source of a pipeline, each in its own transaction, reporting progress.

File sources report bytes read of the files their glob matches (the loader names each file
as it starts it); SQL sources report rows as batches land.

Example:
    >>> # loads = load_sources(con, pipeline, compiled, Path("exports"), run_id, print)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from journey_mining.config import PipelineConfig, resolve_preset
from journey_mining.connectors.compile import CompiledSource
from journey_mining.connectors.files import SourceLoad, load_file_source, matching_files
from journey_mining.connectors.sql import load_sql_source
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
        preset = resolve_preset(source)
        if source.sql is not None:
            report(ProgressEvent(f"load {source.name}", f"loading {source.name}", 0, None, "rows"))
            load = load_sql_source(
                con,
                source,
                preset,
                compiled[source.name],
                run_id,
                on_batch=_batch_progress(report, source.name),
                base_dir=pipeline.base_dir,
            )
            report(
                ProgressEvent(
                    f"load {source.name}",
                    f"loaded {source.name}: {load.rows_read:,} rows",
                    load.rows_read,
                    load.rows_read,
                    "rows",
                    finished=True,
                )
            )
        else:
            try:
                files = matching_files(data_root, source.path or "", source.name)
            except SourceError:
                files = []  # the loader raises the error that names the glob
            on_file = _FileProgress(report, source.name, files)
            load = load_file_source(
                con, source, preset, compiled[source.name], data_root, run_id, on_file=on_file
            )
            on_file.finish(load)
        loads.append(load)
    return loads
