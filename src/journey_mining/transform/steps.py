"""The transform's Python models and the registry of every model of a run.

Python models do what SQL alone does not: write the declarations, stage the sources (their
columns differ), propagate identities until no label changes, order the journeys with coded
columns, align variants with pm4py, reach the funnel's steps one after the other, and score
the findings. Each declares what it reads and writes; every other model is a SQL file of
``sql/<layer>/`` (see ``journey_mining.transform.models``). ``transform_models`` lists them
all; the runner orders them.

Example:
    >>> names = [m.name for m in transform_models()]
    >>> "mining.dfg_edges" in names and "identity" in names
    True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

from journey_mining.analytics.friction import build_findings
from journey_mining.config import PipelineConfig
from journey_mining.connectors.compile import CompiledSource
from journey_mining.happy_path import HappyPath
from journey_mining.identity import stitch_identities
from journey_mining.mining.compare import compare_variants
from journey_mining.mining.models import ProcessModel
from journey_mining.ordering import build_journey_events
from journey_mining.progress import ProgressEvent, ProgressSink, ignore
from journey_mining.resources import sql_file
from journey_mining.transform.declarations import DECLARED, write_declarations
from journey_mining.transform.models import Model, model_files, sql_model
from journey_mining.transform.staging import stage_rows


@dataclass
class TransformContext:
    """What the models of one run need from the pipeline, and what they report back."""

    pipeline: PipelineConfig
    compiled: dict[str, CompiledSource]
    happy_path: HappyPath | None
    model: ProcessModel | None
    goal: str
    report: ProgressSink = ignore
    aligned: int = 0
    cached: int = 0


def _declarations(con: duckdb.DuckDBPyConnection, c: TransformContext) -> None:
    write_declarations(con, c.pipeline, c.happy_path, c.model, c.goal)


def _staging(con: duckdb.DuckDBPyConnection, c: TransformContext) -> None:
    stage_rows(con, c.pipeline, c.compiled)


def _identity(con: duckdb.DuckDBPyConnection, c: TransformContext) -> None:
    stitch_identities(con, c.pipeline.identity)


def _journey_events(con: duckdb.DuckDBPyConnection, c: TransformContext) -> None:
    build_journey_events(con)


def _alignments(con: duckdb.DuckDBPyConnection, c: TransformContext) -> None:
    if c.model is not None:
        c.aligned, c.cached = compare_variants(
            con,
            c.model,
            progress=lambda done, total: c.report(
                ProgressEvent("align", "aligning variants", done=done, total=total, unit="variants")
            ),
            table="temp.int_variants",
        )
        return
    con.execute(
        "CREATE OR REPLACE TEMP TABLE int_variant_alignments "
        "(variant_id VARCHAR, cost DOUBLE, fitness DOUBLE)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE int_variant_deviations "
        "(variant_id VARCHAR, kind VARCHAR, activity VARCHAR, position BIGINT)"
    )


STEP_FILE = "analytics/int_step_reached.sql"


def _step_reached(con: duckdb.DuckDBPyConnection, c: TransformContext) -> None:
    """The parameterised model: the table, then one INSERT per funnel step, in order."""
    create, _, each = sql_file(STEP_FILE).partition("\n-- for each step\n")
    con.execute(create)
    n_steps = len(c.happy_path.funnel_steps) if c.happy_path else 0
    for step_no in range(1, n_steps + 1):
        con.execute(each, {"step": step_no})


def _findings(con: duckdb.DuckDBPyConnection, c: TransformContext) -> None:
    build_findings(con)


def _python(
    name: str,
    run: Callable[[duckdb.DuckDBPyConnection, TransformContext], None],
    reads: tuple[str, ...],
    writes: tuple[str, ...],
    grain: str,
    **extra: Any,
) -> Model:
    return Model(
        name=name,
        layer=extra.pop("layer", "intermediate"),
        materialisation=extra.pop("materialisation", "temp table"),
        grain=grain,
        reads=reads,
        writes=writes,
        run=run,
        kind="python",
        **extra,
    )


PYTHON_MODELS = (
    _python(
        "declarations",
        _declarations,
        (),
        DECLARED,
        "the pipeline's declarations, one small table each",
        layer="meta",
        materialisation="table",
    ),
    _python(
        "temp.int_rows",
        _staging,
        ("meta.activity_map", "meta.source_defaults"),
        ("temp.int_rows",),
        "one usable row of any source (staging views + their union)",
        layer="staging",
        label="staging sources",
        files=("staging/stg_source.sql", "intermediate/int_rows.sql"),
    ),
    _python(
        "identity",
        _identity,
        ("temp.int_rows",),
        ("temp.int_shared_identifiers", "temp.int_unlinked_rows", "temp.int_identity_labels"),
        "one identifier node labelled with its component's smallest node",
        updates=("temp.int_rows",),
        label="stitching identities",
        files=(
            "intermediate/int_shared_identifiers.sql",
            "intermediate/int_unlinked_rows.sql",
            "intermediate/int_identity_edges.sql",
            "intermediate/int_identity_labels.sql",
            "intermediate/int_identity_next_labels.sql",
        ),
    ),
    _python(
        "mining.journey_events",
        _journey_events,
        ("temp.int_rows", "temp.int_node_customers", "mining.customers"),
        ("mining.journey_events",),
        "one event in one journey, in journey order",
        layer="marts",
        materialisation="table",
        label="ordering journeys",
        files=("marts/journey_events.sql",),
    ),
    _python(
        "alignments",
        _alignments,
        ("temp.int_variants", "meta.alignment_cache"),
        ("temp.int_variant_alignments", "temp.int_variant_deviations"),
        "one variant's alignment with the happy path (pm4py), and its deviations",
        layer="analytics",
        label="aligning variants with the happy path",
    ),
    _python(
        "temp.int_step_reached",
        _step_reached,
        ("temp.int_path_events", "meta.happy_path_steps"),
        ("temp.int_step_reached",),
        "one variant whose journeys reach one happy-path step (one INSERT per step)",
        layer="analytics",
        label="building the funnel",
        files=(STEP_FILE,),
    ),
    _python(
        "findings",
        _findings,
        (
            "mining.analysis_window",
            "mining.customer_attributes",
            "mining.funnel",
            "mining.journey_events",
            "mining.journey_steps",
            "mining.journeys",
            "mining.variants",
            "temp.int_journey_paths",
            "temp.int_step_reached",
        ),
        ("mining.friction", "mining.finding_journeys"),
        "one finding (mining.friction) and one journey exposed to it (finding_journeys)",
        layer="analytics",
        materialisation="table",
        label="testing findings",
        files=("analytics/findings/",),
    ),
)

#: bound parameters of the SQL models that take some (``$name`` in the file)
PARAMETERS: Mapping[str, Callable[[TransformContext], Mapping[str, object]]] = {
    "marts/stitching.sql": lambda c: {"ratio": c.pipeline.identity.join_warning_ratio},
    "marts/shared_identifiers.sql": lambda c: {
        "used_as_link": c.pipeline.identity.link_shared_identifiers
    },
}


def transform_models() -> list[Model]:
    """Every model of the transform: the Python models and each SQL file none of them runs."""
    claimed = {f for m in PYTHON_MODELS for f in m.files}
    sql = [
        sql_model(f, PARAMETERS.get(f))
        for f in model_files()
        if f not in claimed and not f.startswith("analytics/findings/")
    ]
    return [*PYTHON_MODELS, *sql]
