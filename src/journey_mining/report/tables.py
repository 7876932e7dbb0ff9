"""The report's tables: headline figures, variants, segments, funnel, trends and findings.

Findings, funnel, journeys and variants columns are still moving between versions, so each
is read defensively: the page gets the columns that exist, and every column it would have
shown but the warehouse lacks is listed in a note (``missing``), never a crash.

Example:
    >>> pick({"a": 1, "b": 2}, ("a", "c"))
    ({'a': 1}, ['c'])
"""

from __future__ import annotations

from typing import Any

from journey_mining.report.queries import Reader, Row

VARIANTS_SHOWN = 300
FINDINGS_SHOWN = 200
SEGMENT_VALUES = 30
SEGMENT_TOP_VARIANTS = 25

VARIANT_COLUMNS = (
    "rank",
    "variant_id",
    "activities",
    "n_cases",
    "share",
    "cumulative_share",
    "fitness",
    "goal_rate",
    "median_duration_s",
    "fits_path",
    "conforming_share",
)
FUNNEL_COLUMNS = (
    "step_no",
    "step",
    "activities",
    "reached",
    "reached_directly",
    "reached_after_skip",
    "started_here",
    "done_at_all",
    "skipped",
    "went_on",
    "converted_here",
    "in_progress",
    "stopped",
    "conversion_to_next",
    "share_of_journeys",
    "median_s_from_previous",
    "p90_s_from_previous",
    "median_s_to_next",
    "within_s",
    "n_late",
    "window_s",
)
FINDING_COLUMNS = (
    "rank",
    "finding_id",
    "kind",
    "label",
    "step_no",
    "step",
    "activity",
    "from_activity",
    "to_activity",
    "from_team",
    "to_team",
    "dose",
    "attribute",
    "attribute_value",
    "population",
    "n_population",
    "n_exposed",
    "n_unexposed",
    "goal_exposed",
    "goal_unexposed",
    "rate_exposed",
    "rate_unexposed",
    "difference",
    "difference_low",
    "difference_high",
    "p_value",
    "q_value",
    "loss",
    "loss_low",
    "loss_high",
    "direction",
    "replicated",
    "replicated_hash",
    "replicated_time",
    "in_default_view",
    "shared_with_above",
    "explained_loss",
    "median_wait_exposed_s",
    "median_wait_unexposed_s",
    "threshold_s",
    "note",
)


def pick(row: Row, columns: tuple[str, ...]) -> tuple[Row, list[str]]:
    """The ``columns`` of ``row`` that exist, and the names of those that do not."""
    return {c: row[c] for c in columns if c in row}, [c for c in columns if c not in row]


def _picked(
    rows: list[Row], columns: tuple[str, ...], available: set[str]
) -> tuple[list[Row], list[str]]:
    missing = [c for c in columns if c not in available]
    return [{c: r[c] for c in columns if c in r} for r in rows], missing


def headline(reader: Reader) -> dict[str, Any]:
    """Journeys, events, customers, variants, goal and conformance shares, observation window."""
    figures: dict[str, Any] = {}
    journeys = reader.columns("mining.journeys")
    parts = {
        "journeys": "SELECT count(*) FROM mining.journeys",
        "events": "SELECT count(*) FROM mining.journey_events",
        "variants": "SELECT count(*) FROM mining.variants",
        "customers": "SELECT count(*) FROM mining.customers"
        if reader.has("mining.customers")
        else None,
        "reached_goal": "SELECT avg(reached_goal::INTEGER) FROM mining.journeys"
        if "reached_goal" in journeys
        else None,
        "fits_path": "SELECT avg(fits_path::INTEGER) FROM mining.journeys"
        if "fits_path" in journeys
        else None,
        "conforms": "SELECT avg(conforms::INTEGER) FROM mining.journeys"
        if "conforms" in journeys
        else None,
        "observed_from": "SELECT min(started_at) FROM mining.journeys",
        "observed_until": "SELECT max(ended_at) FROM mining.journeys",
    }
    for key, sql in parts.items():
        figures[key] = next(iter(reader.rows(sql)[0].values())) if sql else None
    if "status" in journeys:
        figures["status"] = reader.rows(
            "SELECT status, count(*) AS n FROM mining.journeys GROUP BY status ORDER BY n DESC, status"
        )
    if reader.has("mining.analysis_window"):
        window = reader.rows("SELECT * FROM mining.analysis_window")
        figures["analysis_window"] = window[0] if window else None
    if reader.has("mining.runs"):
        runs = reader.rows(
            "SELECT run_id, pipeline, finished_at FROM mining.runs WHERE status = 'succeeded' "
            "ORDER BY run_id DESC LIMIT 1"
        )
        figures["run"] = runs[0] if runs else None
    return figures


def variants(reader: Reader, referenced: list[int]) -> dict[str, Any]:
    """The most frequent variants (and those the map refers to) with their deviations."""
    rows = reader.report_sql(
        "variants", {"limit": VARIANTS_SHOWN, "ranks": sorted(set(referenced))}
    )
    available = reader.columns("mining.variants")
    if "fits_path" not in available and "conforms" in available:
        for row in rows:
            row["fits_path"] = row.get("conforms")
        available = available | {"fits_path"}
    shown, missing = _picked(rows, (*VARIANT_COLUMNS, "deviations"), available | {"deviations"})
    total = reader.rows("SELECT count(*) AS n FROM mining.variants")[0]["n"]
    return {"rows": shown, "missing": missing, "n_variants": total}


def segments(reader: Reader) -> dict[str, Any]:
    """Declared segments: per value its journeys, goal rate and conformance, and top variants."""
    table = reader.table("mining.segments", "segments", "attribute, journeys DESC, value")
    declared: list[str] = []
    if reader.has("mining.analysis_window") and "segments" in reader.columns(
        "mining.analysis_window"
    ):
        window = reader.rows("SELECT segments FROM mining.analysis_window")
        declared = list(window[0]["segments"] or []) if window else []
    if not declared:
        declared = sorted({str(r["attribute"]) for r in table})
    by_value: list[Row] = []
    if declared and reader.has("mining.customer_attributes"):
        by_value = reader.report_sql(
            "segment_variants",
            {
                "segments": declared,
                "top": SEGMENT_TOP_VARIANTS,
                "values_per_attribute": SEGMENT_VALUES,
            },
        )
    grouped: dict[str, dict[str, Any]] = {}
    for row in by_value:
        attribute = grouped.setdefault(str(row["attribute"]), {})
        value = attribute.setdefault(
            str(row["value"]), {"journeys": row["value_journeys"], "variants": []}
        )
        value["variants"].append([row["rank"], row["n_cases"]])
    return {"declared": declared, "values": table, "variants": grouped}


def funnel(reader: Reader) -> dict[str, Any]:
    """The happy-path funnel, the columns this version has."""
    rows = reader.table("mining.funnel", "the funnel", "step_no")
    shown, missing = _picked(rows, FUNNEL_COLUMNS, reader.columns("mining.funnel"))
    return {"rows": shown, "missing": missing}


def trends(reader: Reader) -> list[Row]:
    """Journeys and goal rate per month of journey start (``mining.trends``), when present."""
    if not reader.has("mining.trends"):
        return []
    columns = reader.columns("mining.trends")
    if not {"period", "period_start"} <= columns:
        return []
    return reader.rows("SELECT * FROM mining.trends WHERE period = 'month' ORDER BY period_start")


def findings(reader: Reader) -> dict[str, Any]:
    """Findings over all journeys as ``mining.friction`` ranks them; missing columns listed."""
    if not reader.has("mining.friction"):
        return {"rows": [], "missing": list(FINDING_COLUMNS), "n_findings": 0}
    available = reader.columns("mining.friction")
    overall = "segment IS NULL" if "segment" in available else "TRUE"
    order = "rank" if "rank" in available else "1"
    if "in_default_view" in available:
        order = f"in_default_view DESC, {order}"
    rows = reader.report_sql("findings", {"limit": FINDINGS_SHOWN}, overall=overall, order_by=order)
    count = reader.rows(f"SELECT count(*) AS n FROM mining.friction WHERE {overall}")[0]["n"]
    shown, missing = _picked(rows, FINDING_COLUMNS, available)
    return {"rows": shown, "missing": missing, "n_findings": count}


def deviation_rates(reader: Reader) -> list[Row]:
    """Deviation kinds per activity with their journeys (``mining.deviation_rates``)."""
    if reader.has("mining.deviation_rates"):
        return reader.rows(
            "SELECT * FROM mining.deviation_rates ORDER BY n_journeys DESC, kind, activity"
        )
    rows = reader.table("mining.deviations", "deviations on the map")
    totals: dict[tuple[str, str], int] = {}
    for _variant, kind, activity, n_cases in sorted(
        {(r["variant_id"], str(r["kind"]), str(r["activity"]), int(r["n_cases"])) for r in rows}
    ):
        totals[(kind, activity)] = totals.get((kind, activity), 0) + n_cases
    return [
        {"kind": k, "activity": a, "n_journeys": n}
        for (k, a), n in sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    ]
