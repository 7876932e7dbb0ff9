"""The run's declarations as tables the SQL models join on (``meta.*``).

What the pipeline declares (activity mappings, source defaults, identity kinds, funnel steps,
the goal and the findings' settings) reaches the SQL as rows of small ``meta`` tables, never as
SQL text.

Example:
    >>> # write_declarations(con, pipeline, happy_path, model, goal)  # doctest: +SKIP
"""

from __future__ import annotations

import difflib

import duckdb
import pandas as pd

from journey_mining.config import ActivityMapping, PipelineConfig
from journey_mining.errors import UnknownActivity
from journey_mining.happy_path import HappyPath, parse_duration
from journey_mining.mining.models import ProcessModel

DECLARED = (
    "meta.outcome",
    "meta.finding_settings",
    "meta.segments",
    "meta.activity_map",
    "meta.source_defaults",
    "meta.identity_kinds",
    "meta.happy_path_steps",
    "meta.happy_path_activities",
)


_PROJECTIONS = {
    "meta.outcome": "goal::VARCHAR AS goal, negations::VARCHAR[] AS negations",
    "meta.finding_settings": (
        "min_journeys::BIGINT AS min_journeys, q_threshold::DOUBLE AS q_threshold, "
        "contacts::VARCHAR[] AS contacts, repeat_contact_within_s::DOUBLE AS repeat_contact_within_s"
    ),
    "meta.segments": "attribute::VARCHAR AS attribute",
    "meta.activity_map": (
        "source::VARCHAR AS source, source_activity::VARCHAR AS source_activity, "
        "activity::VARCHAR AS activity, stage::VARCHAR AS stage, team::VARCHAR AS team, "
        "channel::VARCHAR AS channel, keep::BOOLEAN AS keep"
    ),
    "meta.source_defaults": (
        "source::VARCHAR AS source, team::VARCHAR AS team, channel::VARCHAR AS channel, "
        "keep_unmapped::BOOLEAN AS keep_unmapped"
    ),
    "meta.identity_kinds": "kind::VARCHAR AS kind",
    "meta.happy_path_steps": (
        "step_no::BIGINT AS step_no, label::VARCHAR AS label, "
        "activities::VARCHAR[] AS activities, within_s::DOUBLE AS within_s"
    ),
    "meta.happy_path_activities": "activity::VARCHAR AS activity",
}


def write_declarations(
    con: duckdb.DuckDBPyConnection,
    pipeline: PipelineConfig,
    happy_path: HappyPath | None,
    model: ProcessModel | None,
    goal: str,
) -> None:
    """Tables the SQL models join on: activity map, source defaults, identity kinds, steps."""
    frames = {
        **_mapping_frames(pipeline),
        **_path_frames(pipeline, happy_path, model, goal),
    }
    for table, projection in _PROJECTIONS.items():
        con.register("_declaration", frames[table])
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {projection} FROM _declaration")
        con.unregister("_declaration")


def _mapping_frames(pipeline: PipelineConfig) -> dict[str, pd.DataFrame]:
    """The activity map, the source defaults, the identity kinds and the segments."""
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
    return {
        "meta.activity_map": activity_map,
        "meta.source_defaults": defaults,
        "meta.identity_kinds": pd.DataFrame({"kind": list(pipeline.identity.link_on)}),
        "meta.segments": pd.DataFrame({"attribute": list(pipeline.segments)}),
    }


def _path_frames(
    pipeline: PipelineConfig, happy_path: HappyPath | None, model: ProcessModel | None, goal: str
) -> dict[str, pd.DataFrame]:
    """The happy path's steps and activities, the outcome and the findings' settings."""
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
    return {
        "meta.outcome": pd.DataFrame(
            {"goal": [goal or None], "negations": [list(findings.negations)]}
        ),
        "meta.finding_settings": settings,
        "meta.happy_path_steps": step_frame,
        "meta.happy_path_activities": pd.DataFrame({"activity": path_activities}),
    }


def mapped_activities(pipeline: PipelineConfig) -> set[str]:
    """The activities the pipeline's mappings produce (not those they drop)."""
    return {
        (target.activity or source_activity)
        for mapping in pipeline.activities.values()
        for source_activity, target in mapping.items()
        if target != "drop"
    }


def check_path_activities(
    pipeline: PipelineConfig, happy_path: HappyPath | None, model: ProcessModel | None, goal: str
) -> None:
    """Fail before any work when the happy path or goal names an activity no mapping produces.

    Only a pipeline with ``unmapped: drop`` says every activity it keeps: with ``keep``, a
    source's own activity names pass through and are known only from the data.

    Example:
        >>> # check_path_activities(pipeline, happy_path, model, "contract_signed")  # doctest: +SKIP
        UnknownActivity: ... the happy path names 'contract_signd', which no mapping produces ...
    """
    if pipeline.unmapped != "drop":
        return
    produced = mapped_activities(pipeline)
    named = set(happy_path.activities if happy_path else model.activities if model else ())
    missing = sorted((named | ({goal} if goal else set())) - produced)
    if not missing:
        return
    closest = {
        name: difflib.get_close_matches(name, sorted(produced), n=3, cutoff=0.5) for name in missing
    }
    hints = "; ".join(
        f"{name!r} (closest: {', '.join(map(repr, near))})" if near else f"{name!r}"
        for name, near in closest.items()
    )
    raise UnknownActivity(
        f"{pipeline.name}: the happy path or goal names {hints}, which no activity mapping "
        "produces (unmapped: drop keeps only mapped activities). Fix: correct the name, or map "
        "a source activity to it under 'activities:'."
    )
