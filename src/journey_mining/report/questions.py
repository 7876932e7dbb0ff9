"""Who, with whom, which team, channel, system and third party — per activity and per step.

One pass over ``mining.journey_events`` (``sql/report/event_profile.sql``) groups the events
by activity and the dimensions the six questions ask about; ``activity_mix.sql`` turns that
into the top values per activity and dimension, ``ratings.sql`` into the customer's voice.
Who the customer is comes from ``mining.segment_funnel`` (journeys reaching each step per
segment value). A dimension the exports do not carry is named in ``missing`` with what it
would have told, so the page says so instead of showing blanks.

Example:
    >>> step_mix([{"activity": "a", "dimension": "team", "value": "sales", "n_events": 3,
    ...            "n_values": 1, "n_events_with_value": 3}], ["a"], "team")
    {'values': [['sales', 3]], 'n_events': 3, 'n_values': 1}
"""

from __future__ import annotations

from typing import Any

from journey_mining.report.queries import OPTIONAL_EVENT_COLUMNS, Reader, Row

TOP_VALUES = 5
DIMENSIONS = ("stage", "team", "channel", "system", "resource", "third_party", "rating")
QUESTIONS = (
    ("who", "Who the customer is", "segment"),
    ("with", "Who they work with", "resource"),
    ("team", "Which team delivers it", "team"),
    ("channel", "Through which channel", "channel"),
    ("system", "In which system", "system"),
    ("third_party", "With which third party", "third_party"),
)


def step_mix(mix: list[Row], activities: list[str], dimension: str) -> dict[str, Any]:
    """The top values of ``dimension`` over the events of ``activities`` (a step's)."""
    totals: dict[str, int] = {}
    n_events = 0
    n_values = 0
    for row in mix:
        if row["activity"] in activities and row["dimension"] == dimension:
            totals[row["value"]] = totals.get(row["value"], 0) + int(row["n_events"])
    seen: set[str] = set()
    for row in mix:
        if (
            row["activity"] in activities
            and row["dimension"] == dimension
            and row["activity"] not in seen
        ):
            seen.add(row["activity"])
            n_events += int(row["n_events_with_value"])
            n_values = max(n_values, int(row["n_values"]))
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:TOP_VALUES]
    return {"values": [[v, n] for v, n in ranked], "n_events": n_events, "n_values": n_values}


def profile(reader: Reader) -> dict[str, Any]:
    """Run the event profile and return mixes, modes, ratings and missing dimensions."""
    present = reader.columns("mining.journey_events")
    missing = {name: what for name, what in OPTIONAL_EVENT_COLUMNS.items() if name not in present}
    reader.execute_sql(
        "event_profile", **{name: reader.event_column(name) for name in OPTIONAL_EVENT_COLUMNS}
    )
    mix = reader.report_sql("activity_mix", {"top": TOP_VALUES})
    ratings = {str(r["activity"]): r for r in reader.report_sql("ratings")}
    modes: dict[str, dict[str, str]] = {}
    for row in mix:
        modes.setdefault(str(row["activity"]), {}).setdefault(str(row["dimension"]), row["value"])
    # a column that exists but is empty everywhere tells as little as a missing one
    for name in OPTIONAL_EVENT_COLUMNS:
        if name not in missing and not any(r["dimension"] == name for r in mix):
            missing[name] = OPTIONAL_EVENT_COLUMNS[name]
    return {"mix": mix, "modes": modes, "ratings": ratings, "missing": missing}


def build_questions(reader: Reader, prof: dict[str, Any], funnel: list[Row]) -> dict[str, Any]:
    """The six questions for each step of the funnel, answered from the data where it can be."""
    segments = reader.table(
        "mining.segment_funnel", "who the customer is at each step", "attribute, step_no, value"
    )
    by_step: dict[int, dict[str, list[list[Any]]]] = {}
    for row in segments:
        attribute = by_step.setdefault(int(row["step_no"]), {}).setdefault(
            str(row["attribute"]), []
        )
        attribute.append([row["value"], row.get("reached")])
    steps = []
    for step in funnel:
        activities = list(step.get("activities") or [step["step"]])
        answers: dict[str, Any] = {}
        for key, _, dimension in QUESTIONS:
            if dimension == "segment":
                mix = by_step.get(int(step["step_no"]), {})
                answers[key] = {
                    attribute: {
                        "values": sorted(values, key=lambda v: (-(v[1] or 0), str(v[0])))[
                            :TOP_VALUES
                        ],
                        "n_reached": sum(v[1] or 0 for v in values),
                    }
                    for attribute, values in mix.items()
                }
            else:
                answers[key] = step_mix(prof["mix"], activities, dimension)
        steps.append(
            {"step_no": step["step_no"], "step": step["step"], "activities": activities, **answers}
        )
    return {
        "questions": [{"key": k, "title": t, "dimension": d} for k, t, d in QUESTIONS],
        "steps": steps,
        "missing": prof["missing"],
        "segments_declared": bool(segments),
    }
