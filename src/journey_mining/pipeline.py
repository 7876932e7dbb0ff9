"""Run a declared pipeline: ingest → stitch → journeys → mine → compare → write tables.

Loading is incremental and transactional per source (see ``connectors.files``). Everything
after loading is rebuilt from the raw tables in one transaction, deterministically, so a
re-run on the same inputs leaves every table but ``mining.runs``/``mining.run_sources``
identical, and a failed run leaves the previous results readable.

Example:
    >>> # result = run_pipeline(load_pipeline("pipelines/demo.yaml"), data_dir=Path("exports"))  # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from journey_mining.analytics.findings import build_findings
from journey_mining.config import (
    ActivityMapping,
    PipelineConfig,
    check_memory_limit,
)
from journey_mining.connectors.compile import (
    ROW_IDENTITY,
    CompiledSource,
    quote_literal,
)
from journey_mining.connectors.protocol import SourceLoad
from journey_mining.connectors.sources import compile_sources
from journey_mining.errors import ConfigError, JourneyMiningError, ReportError
from journey_mining.happy_path import HappyPath, load_happy_path, parse_duration
from journey_mining.identity import stitch_identities, write_stitching
from journey_mining.loading import load_sources
from journey_mining.mining.compare import compare_variants, read_dfg, read_variant_log
from journey_mining.mining.conformance import bpmn_model, discover_model_bpmn, happy_path_model
from journey_mining.mining.models import ProcessModel
from journey_mining.ordering import build_journey_events
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
from journey_mining.runs import hold_warehouse
from journey_mining.snapshot import building_copy, spill_path
from journey_mining.warehouse import connect, run_sql, run_sql_tests, run_sql_with, table_exists

__all__ = ["RunResult", "new_run_id", "pipeline_warehouse", "run_pipeline"]

Progress = Callable[[str], None]  # what a transform stage calls with its name


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


def _write_declarations(
    con: duckdb.DuckDBPyConnection,
    pipeline: PipelineConfig,
    happy_path: HappyPath | None,
    model: ProcessModel | None,
    goal: str,
) -> None:
    """Tables the SQL models join on: activity map, source defaults, identity kinds, steps."""
    mapping_rows = []
    for source, mapping in pipeline.activities.items():
        for source_activity, target in mapping.items():
            spec = ActivityMapping() if target == "drop" else target
            mapping_rows.append(
                {
                    "source": source,
                    "source_activity": source_activity,
                    "activity": spec.activity or source_activity,
                    "stage": spec.stage,
                    "team": spec.team,
                    "channel": spec.channel,
                    "keep": target != "drop",
                }
            )
    activity_map = pd.DataFrame.from_records(
        mapping_rows,
        columns=["source", "source_activity", "activity", "stage", "team", "channel", "keep"],
    ).astype({"keep": bool})
    defaults = pd.DataFrame(
        {
            "source": [s.name for s in pipeline.sources],
            "team": [s.team for s in pipeline.sources],
            "channel": [s.channel for s in pipeline.sources],
            "keep_unmapped": [pipeline.unmapped == "keep"] * len(pipeline.sources),
        }
    )
    steps = happy_path.funnel_steps if happy_path is not None else ()
    step_frame = pd.DataFrame(
        {
            "step_no": list(range(1, len(steps) + 1)),
            "label": [s.label for s in steps],
            "activities": [list(s.activities) for s in steps],
            "within_s": [s.within_s for s in steps],
        }
    )
    if happy_path is not None:
        path_activities = list(happy_path.activities)
    elif model is not None:
        path_activities = sorted(model.activities)
    else:
        path_activities = [goal] if goal else []
    findings = pipeline.findings
    settings = pd.DataFrame(
        {
            "min_journeys": [findings.min_journeys],
            "q_threshold": [findings.q_threshold],
            "contacts": [list(findings.contacts)],
            "repeat_contact_within_s": [
                parse_duration(findings.repeat_contact_within, "findings.repeat_contact_within")
            ],
        }
    )
    tables = {
        "meta.outcome": (
            pd.DataFrame({"goal": [goal or None], "negations": [list(findings.negations)]}),
            "goal::VARCHAR AS goal, negations::VARCHAR[] AS negations",
        ),
        "meta.finding_settings": (
            settings,
            "min_journeys::BIGINT AS min_journeys, q_threshold::DOUBLE AS q_threshold, "
            "contacts::VARCHAR[] AS contacts, repeat_contact_within_s::DOUBLE AS repeat_contact_within_s",
        ),
        "meta.segments": (
            pd.DataFrame({"attribute": list(pipeline.segments)}),
            "attribute::VARCHAR AS attribute",
        ),
        "meta.activity_map": (
            activity_map,
            "source::VARCHAR AS source, source_activity::VARCHAR AS source_activity, "
            "activity::VARCHAR AS activity, stage::VARCHAR AS stage, team::VARCHAR AS team, "
            "channel::VARCHAR AS channel, keep::BOOLEAN AS keep",
        ),
        "meta.source_defaults": (
            defaults,
            "source::VARCHAR AS source, team::VARCHAR AS team, channel::VARCHAR AS channel, "
            "keep_unmapped::BOOLEAN AS keep_unmapped",
        ),
        "meta.identity_kinds": (
            pd.DataFrame({"kind": list(pipeline.identity.link_on)}),
            "kind::VARCHAR AS kind",
        ),
        "meta.happy_path_steps": (
            step_frame,
            "step_no::BIGINT AS step_no, label::VARCHAR AS label, "
            "activities::VARCHAR[] AS activities, within_s::DOUBLE AS within_s",
        ),
        "meta.happy_path_activities": (
            pd.DataFrame({"activity": path_activities}),
            "activity::VARCHAR AS activity",
        ),
    }
    for table, (frame, projection) in tables.items():
        con.register("_declaration", frame)
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {projection} FROM _declaration")
        con.unregister("_declaration")


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
    happy_path, model, goal = _happy_path(pipeline)
    compiled = compile_sources(pipeline)
    limit = memory_limit or pipeline.memory_limit
    checked_limit = check_memory_limit(limit) if limit else None
    run_id = new_run_id()
    clock = time.monotonic()
    with (
        hold_warehouse(warehouse_path, run_id, pipeline.name) as lock,
        building_copy(warehouse_path) as target,  # readers keep the previous state meanwhile
    ):
        user = progress or ignore

        def report(event: ProgressEvent) -> None:
            lock.heartbeat()
            user(event)

        con = connect(target, memory_limit=checked_limit, spill=spill_path(warehouse_path))
        loads: list[SourceLoad] = []
        try:
            record_run_start(con, lock, pipeline)
            loads = load_sources(con, pipeline, compiled, data_root, run_id, report)
            result = _transform(
                con,
                pipeline,
                compiled,
                happy_path,
                model,
                goal,
                lambda stage: report(ProgressEvent("stage", stage)),
                report,
            )
            outputs = Path(outputs_dir or pipeline.outputs_path() or warehouse_path.parent)
            discovered = discovered_with = None
            if result[0]:
                report(ProgressEvent("stage", "discovering the process model"))
                outputs.mkdir(parents=True, exist_ok=True)
                discovered = outputs / "discovered_model.bpmn"
                discovered_with = discover_model_bpmn(
                    read_variant_log(con),
                    discovered,
                    noise_threshold=pipeline.discovery_noise,
                    dfg=read_dfg(con),
                )
            stitching, shared = read_stitching(con)
            warnings = [w for load in loads for w in load.warnings]
            warnings += [line.warning for line in stitching if line.warning]
            checked = conformance(con)
            started_at, finished_at = record_run_end(con, run_id, loads, None, warnings=warnings)
        except JourneyMiningError as err:
            end_badly(con, run_id, loads, str(err), "failed")
            raise
        except Exception as err:
            end_badly(con, run_id, loads, f"{type(err).__name__}: {err}", "failed")
            raise
        except BaseException as err:  # Ctrl-C, SIGTERM turned into SystemExit by the CLI
            end_badly(con, run_id, loads, f"interrupted ({type(err).__name__})", "aborted")
            raise
        con.close()
    report_file = report_path(pipeline, warehouse_path, outputs_dir)
    if report_file is not None and result[0]:
        (progress or ignore)(ProgressEvent("stage", "writing the report"))
        try:
            write_report(warehouse_path, report_file, title=pipeline.outputs.report_title)
        except JourneyMiningError as err:
            raise ReportError(
                f"run {run_id} succeeded (its tables are committed), but writing its report "
                f"failed: {err}"
            ) from None
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
        started_at=started_at,
        finished_at=finished_at,
        duration_s=round(time.monotonic() - clock, 3),
        conformance=checked,
        warnings=warnings,
        stitching=stitching,
        shared_identifiers=shared,
        report=str(report_file) if report_file is not None and result[0] else None,
    )


def _transform(
    con: duckdb.DuckDBPyConnection,
    pipeline: PipelineConfig,
    compiled: dict[str, CompiledSource],
    happy_path: HappyPath | None,
    model: ProcessModel | None,
    goal: str,
    say: Progress,
    report: ProgressSink = ignore,
) -> tuple[int, int, int, int]:
    """Rebuild staging, identities, journeys and every mart in one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        _write_declarations(con, pipeline, happy_path, model, goal)
        say("staging sources")
        union = _stage_sources(con, pipeline, compiled)
        run_sql(con, "intermediate/int_rows.sql", staging_union=union)
        say("stitching identities")
        stitch_identities(con, pipeline.identity)
        say("ordering journeys")
        build_journey_events(con)
        write_stitching(con, pipeline.identity)
        run_sql(con, "marts/customer_attributes.sql")
        con.execute("DROP TABLE temp.int_rows")
        say("mining variants and the process map")
        run_sql(con, "meta/macros.sql")
        run_sql(con, "marts/variants.sql")
        run_sql(con, "marts/dfg_edges.sql")
        aligned = cached = 0
        if model is not None:
            say("aligning variants with the happy path")
            aligned, cached = compare_variants(con, model, progress=_aligning(report))
        else:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE int_variant_alignments "
                "(variant_id VARCHAR, cost DOUBLE, fitness DOUBLE)"
            )
            con.execute(
                "CREATE OR REPLACE TEMP TABLE int_variant_deviations "
                "(variant_id VARCHAR, kind VARCHAR, activity VARCHAR, position BIGINT)"
            )
        say("building the funnel")
        n_steps = len(happy_path.funnel_steps) if happy_path else 0
        run_sql(con, "analytics/path_events.sql")
        for step_no in range(1, n_steps + 1):
            run_sql_with(con, "analytics/funnel_step.sql", {"step": step_no})
        for model_file in (
            "marts/journey_steps.sql",
            "analytics/step_parameters.sql",
            "analytics/variant_path.sql",
            "marts/deviations.sql",
            "marts/journeys.sql",
            "marts/funnel.sql",
            "marts/deviation_rates.sql",
            "marts/handoffs.sql",
            "marts/segments.sql",
            "marts/trends.sql",
        ):
            run_sql(con, model_file)
        say("testing findings")
        build_findings(con)
        say("checking the tables")
        run_sql_tests(con)
        counts = con.execute(
            "SELECT (SELECT count(*) FROM mining.journeys), (SELECT count(*) FROM mining.variants)"
        ).fetchone()
        assert counts is not None
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return int(counts[0]), int(counts[1]), aligned, cached


def _aligning(report: ProgressSink) -> Callable[[int, int], None]:
    return lambda done, total: report(
        ProgressEvent("align", "aligning variants", done=done, total=total, unit="variants")
    )
