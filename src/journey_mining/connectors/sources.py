"""Which connector reads a source, and the loading stage of a run: every source in turn.

Example:
    >>> # for load in load_sources(con, pipeline, compiled, run_id, data_dir, say):
    >>> #     print(load.source, load.rows_loaded)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from journey_mining.config import PipelineConfig
from journey_mining.connectors.compile import CompiledSource, compile_source
from journey_mining.connectors.files import FileConnector
from journey_mining.connectors.landing import land_source
from journey_mining.connectors.protocol import Connector, LoadContext, SourceLoad
from journey_mining.connectors.sql import SqlConnector


def compile_sources(pipeline: PipelineConfig) -> dict[str, CompiledSource]:
    """Each source's resolved preset compiled to SQL, by source name.

    The source's time zone and column overrides are already in its resolved preset.
    """
    return {
        s.name: compile_source(
            s.name,
            pipeline.preset(s.name),
            None,
            pipeline.identity.normalise_email,
            pipeline.identity.link_on,
        )
        for s in pipeline.sources
    }


def connector_for(ctx: LoadContext) -> Connector:
    """The connector of a source: a database table or query (``sql:``), or export files."""
    if ctx.source.sql is not None:
        return SqlConnector(ctx)
    return FileConnector(ctx)


def load_source(ctx: LoadContext) -> SourceLoad:
    """Load one source's new rows in one transaction, whatever its kind.

    Example:
        >>> # load = load_source(LoadContext(con, source, preset, compiled, run_id))
    """
    return land_source(ctx, connector_for(ctx).origins())


def load_sources(
    con: duckdb.DuckDBPyConnection,
    pipeline: PipelineConfig,
    compiled: dict[str, CompiledSource],
    run_id: str,
    data_dir: Path,
    say: Callable[[str], None],
) -> Iterator[SourceLoad]:
    """Load the pipeline's sources in order, each in its own transaction; yield each load.

    ``say`` gets ``loading <source>``, then ``loading <source>: <file>`` per file and
    ``loading <source>: <n> rows`` after each batch of a database read.
    """
    for source in pipeline.sources:
        name = source.name
        say(f"loading {name}")
        ctx = LoadContext(
            con=con,
            source=source,
            preset=pipeline.preset(name),
            compiled=compiled[name],
            run_id=run_id,
            data_dir=data_dir,
            base_dir=pipeline.base_dir,
            on_origin=None if source.sql is not None else _said(say, name, "{}"),
            on_rows=None if source.sql is None else _said(say, name, "{:,} rows"),
        )
        yield load_source(ctx)


def _said(say: Callable[[str], None], source: str, detail: str) -> Callable[[object], None]:
    return lambda value: say(f"loading {source}: {detail.format(value)}")
