"""Which connector reads a source, and the compiled expressions of a pipeline's sources.

The loading stage of a run (``journey_mining.loading``) builds one ``LoadContext`` per
source and calls ``load_source``.

Example:
    >>> # load = load_source(LoadContext(con, source, preset, compiled, run_id))
"""

from __future__ import annotations

from journey_mining.config import PipelineConfig
from journey_mining.connectors.compile import CompiledSource, compile_source
from journey_mining.connectors.files import CarefulReadNeeded, FileConnector
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
            pipeline.identity.placeholders,
            pipeline.identity.normalise_phone,
            pipeline.identity.phone_region,
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
    if ctx.source.sql is not None:
        return land_source(ctx, SqlConnector(ctx).origins())
    careful: set[str] = set()
    while True:
        try:
            return land_source(ctx, FileConnector(ctx, frozenset(careful)).origins())
        except CarefulReadNeeded as needed:
            if needed.path in careful:  # cannot happen: a careful read raises SourceError
                raise
            careful.add(needed.path)  # the load was rolled back: again, reading it carefully
            ctx.warnings.clear()
