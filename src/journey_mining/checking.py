"""``check``: a dry run of a pipeline's loading — what ``run`` would read, load and quarantine.

``check_pipeline`` validates the pipeline and its presets (a config error is raised, as
``run`` raises it), then lands every source in an **in-memory** DuckDB through the very
code ``run`` uses — the same connector, the same compiled expressions, the same landing
step (``connectors.sources.load_source``) — so the files it lists, the rows it counts and
the rows it says would be quarantined, with their reasons, are exactly those of a first
``run`` into an empty warehouse. No warehouse file is opened or created; nothing is
written anywhere (DuckDB may spill to its temporary folder when a source is larger than
memory). A source that cannot be loaded (a missing column, a file that is not the
preset's format) is reported with its error and the others are still checked.

Example:
    >>> # result = check_pipeline("pipelines/demo.yaml", data_dir="journey-mining-demo/exports")
    >>> # result.sources[0].rows_quarantined, result.sources[0].quarantined[0].reason
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
from pydantic import BaseModel, ConfigDict

from journey_mining.config import PipelineConfig, load_pipeline
from journey_mining.connectors.compile import CompiledSource
from journey_mining.connectors.protocol import LoadContext
from journey_mining.connectors.sources import compile_sources, load_source
from journey_mining.errors import ConfigError, JourneyMiningError
from journey_mining.happy_path import load_happy_path
from journey_mining.warehouse import connect, table_exists

CHECK_RUN_ID = "check"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CheckedFile(_Record):
    """One file (or database read) a source matches, and what a run would do with its rows."""

    path: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int


class SampleEvent(_Record):
    """A parsed canonical event, as the run would land it (UTC time, activity, identifiers)."""

    file: str
    row: int
    event_id: int
    ts: str
    activity: str | None
    channel: str | None
    is_event: bool
    identifiers: dict[str, str | None]


class QuarantinedRow(_Record):
    """A row the run would put in ``mining.quarantine``, with its reason and the row as read."""

    file: str
    row: int
    reason: str
    raw_row: str | None


class SourceCheck(_Record):
    """What a first run would do with one source."""

    source: str
    preset: str
    files: list[CheckedFile] = []
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    sample: list[SampleEvent] = []
    quarantined: list[QuarantinedRow] = []
    error: str | None = None
    warnings: list[str] = []


class CheckResult(_Record):
    """The dry run of a pipeline: ``ok`` when every source could be loaded."""

    pipeline: str
    pipeline_file: str
    data_dir: str
    sources: list[SourceCheck]

    @property
    def ok(self) -> bool:
        """Whether every source loaded (rows may still be quarantined)."""
        return all(s.error is None for s in self.sources)


def check_pipeline(
    pipeline_file: str | Path,
    data_dir: str | Path | None = None,
    sample_rows: int = 5,
    quarantine_rows: int = 20,
) -> CheckResult:
    """Validate ``pipeline_file`` and dry-run its sources' loading (see the module doc).

    ``sample_rows`` canonical events and up to ``quarantine_rows`` quarantined rows are
    returned per source (in file and row order; the counts are always complete).

    Example:
        >>> check_pipeline("pipelines/demo.yaml").sources[0].rows_read  # doctest: +SKIP
    """
    pipeline = load_pipeline(pipeline_file)
    _check_happy_path(pipeline)
    compiled = compile_sources(pipeline)
    root = Path(data_dir) if data_dir else pipeline.data_path()
    con = connect(":memory:")
    try:
        sources = [
            _check_source(con, pipeline, name, compiled, root, sample_rows, quarantine_rows)
            for name in (s.name for s in pipeline.sources)
        ]
    finally:
        con.close()
    return CheckResult(
        pipeline=pipeline.name,
        pipeline_file=str(Path(pipeline_file).absolute()),
        data_dir=str(root.absolute()),
        sources=sources,
    )


def _check_happy_path(pipeline: PipelineConfig) -> None:
    file = pipeline.happy_path_file()
    if file is None:
        return
    if file.suffix.lower() in (".bpmn", ".xml"):
        if not file.is_file():
            raise ConfigError(f"happy path {str(file)!r} does not exist. Fix: check the path.")
        if not pipeline.goal:
            raise ConfigError(
                f"{pipeline.name}: the happy path {file.name} is BPMN, which names no goal. "
                "Fix: add 'goal: <activity>' to the pipeline."
            )
        return
    load_happy_path(file)


def _check_source(
    con: duckdb.DuckDBPyConnection,
    pipeline: PipelineConfig,
    name: str,
    compiled: dict[str, CompiledSource],
    root: Path,
    sample_rows: int,
    quarantine_rows: int,
) -> SourceCheck:
    source = next(s for s in pipeline.sources if s.name == name)
    preset = pipeline.preset(name)
    result = SourceCheck(source=name, preset=preset.name)
    kinds = [k for k in preset.identifiers if k in pipeline.identity.link_on]
    if not kinds:
        result.warnings.append(
            f"source {name!r} has no identifier of the kinds in identity.link_on "
            f"({', '.join(pipeline.identity.link_on)}): its rows join no journey"
        )
    ctx = LoadContext(con, source, preset, compiled[name], CHECK_RUN_ID, root, pipeline.base_dir)
    try:
        load = load_source(ctx)
    except ConfigError:
        raise
    except JourneyMiningError as err:
        result.error = str(err)
        return result
    result.files = [
        CheckedFile(
            path=f.path,
            rows_read=f.rows_read,
            rows_loaded=f.rows_loaded,
            rows_quarantined=f.rows_quarantined,
        )
        for f in load.files
    ]
    result.rows_read = load.rows_read
    result.rows_loaded = load.rows_loaded
    result.rows_quarantined = load.rows_quarantined
    result.sample = _sample(con, name, compiled[name], sample_rows)
    result.quarantined = quarantined_rows(con, name, quarantine_rows)
    return result


def _sample(
    con: duckdb.DuckDBPyConnection, name: str, compiled: CompiledSource, limit: int
) -> list[SampleEvent]:
    if limit <= 0 or not table_exists(con, f"raw.{name}"):
        return []
    kinds = list(compiled.identifiers)
    ids = "".join(f", _jm_id_{kind}" for kind in kinds)
    rows = con.execute(
        "SELECT _file, _row, _jm_event_id, strftime(_jm_ts, '%Y-%m-%dT%H:%M:%S.%fZ'), "
        f"_jm_source_activity, _jm_source_channel, _jm_is_event{ids} FROM raw.{name} "
        "ORDER BY _file, _row, _jm_ts LIMIT ?",
        [limit],
    ).fetchall()
    return [_sample_event(row, kinds) for row in rows]


def _sample_event(row: tuple[Any, ...], kinds: list[str]) -> SampleEvent:
    return SampleEvent(
        file=row[0],
        row=row[1],
        event_id=row[2],
        ts=row[3],
        activity=row[4],
        channel=row[5],
        is_event=row[6],
        identifiers=dict(zip(kinds, row[7:], strict=True)),
    )


def quarantined_rows(
    con: duckdb.DuckDBPyConnection, source: str, limit: int | None = None
) -> list[QuarantinedRow]:
    """The quarantined rows of ``source`` in file and row order (the first ``limit``).

    Reads ``mining.quarantine`` of any connection: the check's, or a warehouse after a run.

    Example:
        >>> quarantined_rows(duckdb.connect("journeys.duckdb"), "deals")  # doctest: +SKIP
    """
    rows = con.execute(
        "SELECT file, row_no, reason, raw_row FROM mining.quarantine WHERE source = ? "
        "ORDER BY file, row_no, reason" + (" LIMIT ?" if limit is not None else ""),
        [source] if limit is None else [source, limit],
    ).fetchall()
    return [QuarantinedRow(file=r[0], row=r[1], reason=r[2], raw_row=r[3]) for r in rows]
