"""Staging: one view per source over its raw table, and their union as ``temp.int_rows``.

The staging views (``sql/staging/stg_source.sql``) and the union (``sql/intermediate/
int_rows.sql``) are the one place where SQL text is assembled from the pipeline: a source's
identifier kinds and attributes are columns of its raw table, so their names (validated
identifiers, literals quoted) are filled into the templates. Everything else the pipeline
declares reaches the SQL as ``meta`` tables.

Example:
    >>> _anchor_columns(["email"])
    "'email:' || id_email AS anchor, NULL::VARCHAR[] AS nodes"
"""

from __future__ import annotations

import duckdb

from journey_mining.config import PipelineConfig
from journey_mining.connectors.compile import ROW_IDENTITY, CompiledSource, quote_literal
from journey_mining.errors import ConfigError, JourneyMiningError
from journey_mining.warehouse import run_sql, table_exists

STAGED_COLUMNS = (
    "source, system, file, row_no, event_id, ts, source_seq, source_activity, source_channel, "
    "account_name, is_event, episode, row_team, resource, rating"
)


def _attribute_map(names: list[str], kinds: list[str] | None = None) -> str:
    """SQL for a staged row's declared customer attributes, as a map of name to text value.

    ``kinds``: identifier kinds kept as attributes (``identity.attributes``): each is an
    attribute of its own name, never a link.
    """
    kinds = kinds or []
    if not names and not kinds:
        return "NULL::MAP(VARCHAR, VARCHAR) AS attributes"
    keys = ", ".join(quote_literal(name) for name in [*names, *kinds])
    values = ", ".join(
        [f"attr_{name}::VARCHAR" for name in names] + [f"id_{kind}::VARCHAR" for kind in kinds]
    )
    return f"map([{keys}], [{values}]) AS attributes"


def _attribute_kinds(pipeline: PipelineConfig, compiled: CompiledSource) -> list[str]:
    """The source's identifier kinds the pipeline keeps on the customer as attributes."""
    declared = set(compiled.attributes)
    return [
        k for k in compiled.identifiers if k in pipeline.identity.attributes and k not in declared
    ]


def _anchor_columns(kinds: list[str]) -> str:
    """SQL for a staged row's ``anchor`` (smallest linking identifier) and ``nodes`` (all, if 2+)."""
    nodes = [f"{quote_literal(kind + ':')} || id_{kind}" for kind in kinds]
    if len(nodes) == 1:
        return f"{nodes[0]} AS anchor, NULL::VARCHAR[] AS nodes"
    listed = ", ".join(nodes)
    return (
        f"least({listed}) AS anchor, "
        f"CASE WHEN ({' + '.join(f'(id_{k} IS NOT NULL)::INTEGER' for k in kinds)}) > 1 "
        f"THEN list_filter([{listed}], lambda node: node IS NOT NULL) END AS nodes"
    )


def _stage_sources(
    con: duckdb.DuckDBPyConnection, pipeline: PipelineConfig, compiled: dict[str, CompiledSource]
) -> str:
    """Create the view ``staging.stg_<source>`` of each source; return the SQL union of them.

    Each union member adds the source's rank in the pipeline (the journey order's
    tie-break) and the row's identity anchor over the kinds in ``identity.link_on``.
    """
    rows: list[str] = []
    for rank, source in enumerate(pipeline.sources, start=1):
        if not table_exists(con, f"raw.{source.name}"):
            continue
        c = compiled[source.name]
        if pipeline.preset(source.name).event_id == (ROW_IDENTITY,):
            dedup = ""
        else:
            # files: a re-sent row keeps its first appearance; a database row edited since
            # (same key, loaded again past the cursor) keeps its latest load
            order = "_file DESC, _row" if source.sql is not None else "_file, _row"
            dedup = f"QUALIFY row_number() OVER (PARTITION BY _jm_event_id ORDER BY {order}) = 1"
        run_sql(
            con,
            "staging/stg_source.sql",
            source=source.name,
            source_literal=quote_literal(source.name),
            system=quote_literal(c.system),
            identifier_columns=", ".join(f"_jm_id_{kind} AS id_{kind}" for kind in c.identifiers),
            attribute_columns="".join(f", _jm_attr_{name} AS attr_{name}" for name in c.attributes),
            dedup=dedup,
        )
        kinds = [kind for kind in c.identifiers if kind in pipeline.identity.link_on]
        if kinds:
            rows.append(
                f"SELECT {STAGED_COLUMNS}, "
                f"{_attribute_map(list(c.attributes), _attribute_kinds(pipeline, c))}, "
                f"{rank} AS source_rank, {_anchor_columns(kinds)} FROM staging.stg_{source.name}"
            )
    if not rows and not any(table_exists(con, f"raw.{s.name}") for s in pipeline.sources):
        raise JourneyMiningError(
            "no source has loaded any file yet. Fix: check the sources' paths."
        )
    if not rows:
        raise ConfigError(
            f"{pipeline.name}: no source has an identifier of the kinds in identity.link_on "
            f"{list(pipeline.identity.link_on)}. Fix: list the kinds the presets give."
        )
    return "\n    UNION ALL\n    ".join(rows)


def stage_rows(
    con: duckdb.DuckDBPyConnection, pipeline: PipelineConfig, compiled: dict[str, CompiledSource]
) -> None:
    """Create the staging views and ``temp.int_rows``, the usable rows of every source."""
    union = _stage_sources(con, pipeline, compiled)
    run_sql(con, "intermediate/int_rows.sql", staging_union=union)
