"""The run summary: what the terminal shows and ``summary --json`` prints.

Read from the contract tables of an existing warehouse (never from events directly). The words
mean what docs/tables.md says they mean: a journey *fits the path* when its activity sequence
aligns with the happy path at zero cost, and *conforms* when it also waited no longer than any
step's ``within`` window; funnel steps are *reached in order* (skips allowed); deviation shares
are of the journeys for which the step was due; findings come from their default view.

Example:
    >>> # summary = build_summary(connect("journeys.duckdb", read_only=True))  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import duckdb
from pydantic import BaseModel

from journey_mining.report.stitching import SharedIdentifierLine, StitchingLine, read_stitching
from journey_mining.warehouse import require_tables

COVERAGE_TARGET = 0.8


class DeviationLine(BaseModel):
    """A kind of deviation at an activity: journeys showing it, of the journeys it was due for."""

    kind: str
    activity: str
    n_journeys: int
    n_due: int
    share_of_due: float | None


class FunnelLine(BaseModel):
    """One step of the funnel along the happy path (reached = in order, skips allowed)."""

    step_no: int
    step: str
    reached: int
    reached_directly: int
    reached_after_skip: int
    started_here: int
    done_at_all: int
    skipped: int
    went_on: int
    converted_here: int
    in_progress: int
    stopped: int
    conversion_to_next: float | None
    median_s_from_previous: float | None
    median_s_to_next: float | None
    n_late: int


class FindingLine(BaseModel):
    """One finding of the default view (see docs/findings.md for each kind's exposure model)."""

    rank: int
    finding_id: str
    kind: str
    label: str
    population: str | None
    n_exposed: int
    n_unexposed: int
    rate_exposed: float | None
    rate_unexposed: float | None
    difference: float | None
    difference_low: float | None
    difference_high: float | None
    q_value: float | None
    replicated: bool
    loss: float | None
    loss_low: float | None
    loss_high: float | None
    direction: str
    shared_with_above: int
    explained_loss: float | None
    median_wait_exposed_s: float | None
    median_wait_unexposed_s: float | None


class SegmentLine(BaseModel):
    """One value of a declared segment attribute: journeys, conformance and goal rate."""

    attribute: str
    value: str
    journeys: int
    share: float
    fits_path_share: float | None
    conforming_share: float | None
    n_observed: int
    goal_rate: float | None
    goal_rate_low: float | None
    goal_rate_high: float | None


class TrendLine(BaseModel):
    """One month of journey starts: conformance and goal rate (final when ``complete``)."""

    period_start: str
    journeys: int
    fits_path_share: float | None
    conforming_share: float | None
    goal_rate: float
    complete: bool


class QuarantineLine(BaseModel):
    """Rows of one source set aside for one reason."""

    source: str
    reason: str
    n_rows: int


class Summary(BaseModel):
    """Headline figures of the last run of a warehouse."""

    run_id: str | None
    journeys: int
    events: int
    customers: int
    variants: int
    variants_covering_80pct: int
    share_fits_path: float
    share_conforming: float
    share_reached_goal: float
    journeys_partial: int
    journeys_in_progress: int
    journeys_off_path: int
    journeys_in_findings: int
    journeys_not_converted: int
    top_variants: list[dict[str, object]]
    top_deviations: list[DeviationLine]
    funnel: list[FunnelLine]
    findings: list[FindingLine]
    findings_in_default_view: int
    findings_total: int
    explained_loss: float
    segments: list[SegmentLine]
    trends: list[TrendLine]
    quarantine: list[QuarantineLine]
    stitching: list[StitchingLine] = []
    shared_identifiers: list[SharedIdentifierLine] = []
    warnings: list[str] = []


def _rows(
    con: duckdb.DuckDBPyConnection, sql: str, parameters: list[Any] | None = None
) -> list[dict[str, Any]]:
    cursor = con.execute(sql, parameters or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


_HEAD = """
SELECT
    (SELECT count(*) FROM mining.journeys),
    (SELECT count(*) FROM mining.journey_events),
    (SELECT count(DISTINCT customer_id) FROM mining.journeys),
    (SELECT count(*) FROM mining.variants),
    (SELECT count(*) FROM mining.variants WHERE cumulative_share - share < ?),
    coalesce((SELECT avg(fits_path::INTEGER) FROM mining.journeys), 0),
    coalesce((SELECT avg(conforms::INTEGER) FROM mining.journeys), 0),
    coalesce((SELECT avg(reached_goal::INTEGER) FROM mining.journeys), 0),
    (SELECT max(run_id) FROM mining.runs WHERE status = 'succeeded'),
    (SELECT count(*) FROM mining.journeys WHERE partial),
    (SELECT count(*) FROM mining.journeys WHERE status = 'in_progress'),
    (SELECT count(*) FROM mining.journeys WHERE status = 'off_path'),
    (SELECT count(*) FROM mining.journeys WHERE in_findings),
    (SELECT count(*) FROM mining.journeys WHERE NOT reached_goal),
    (SELECT count(*) FROM mining.friction WHERE segment IS NULL AND in_default_view),
    (SELECT count(*) FROM mining.friction),
    (SELECT coalesce(sum(explained_loss), 0) FROM mining.friction WHERE segment IS NULL)
"""


def build_summary(con: duckdb.DuckDBPyConnection, top: int = 10) -> Summary:
    """Collect the summary from the warehouse behind ``con``."""
    require_tables(
        con,
        "mining.journeys",
        "mining.variants",
        "mining.deviation_rates",
        "mining.funnel",
        "mining.friction",
        "mining.journey_events",
        "mining.segments",
        "mining.trends",
    )
    head = con.execute(_HEAD, [COVERAGE_TARGET]).fetchone()
    assert head is not None
    limit = int(top)
    stitching, shared = read_stitching(con, top=top)
    return Summary(
        stitching=stitching,
        shared_identifiers=shared,
        warnings=[line.warning for line in stitching if line.warning],
        run_id=head[8],
        journeys=int(head[0]),
        events=int(head[1]),
        customers=int(head[2]),
        variants=int(head[3]),
        variants_covering_80pct=int(head[4]),
        share_fits_path=float(head[5]),
        share_conforming=float(head[6]),
        share_reached_goal=float(head[7]),
        journeys_partial=int(head[9]),
        journeys_in_progress=int(head[10]),
        journeys_off_path=int(head[11]),
        journeys_in_findings=int(head[12]),
        journeys_not_converted=int(head[13]),
        findings_in_default_view=int(head[14]),
        findings_total=int(head[15]),
        explained_loss=float(head[16]),
        top_variants=_rows(
            con,
            "SELECT rank, variant_id, n_cases, round(share, 4) AS share, activities, fitness, "
            "fits_path, conforming_share FROM mining.variants ORDER BY rank LIMIT ?",
            [limit],
        ),
        top_deviations=[
            DeviationLine.model_validate(d)
            for d in _rows(con, "SELECT * FROM mining.deviation_rates LIMIT ?", [limit])
        ],
        funnel=[
            FunnelLine.model_validate(f)
            for f in _rows(con, "SELECT * FROM mining.funnel ORDER BY step_no")
        ],
        findings=[
            FindingLine.model_validate(f)
            for f in _rows(
                con,
                "SELECT * FROM mining.friction WHERE segment IS NULL AND in_default_view "
                "ORDER BY rank LIMIT ?",
                [limit],
            )
        ],
        segments=[
            SegmentLine.model_validate(s)
            for s in _rows(
                con, "SELECT * FROM mining.segments ORDER BY attribute, journeys DESC, value"
            )
        ],
        trends=[
            TrendLine.model_validate({**t, "period_start": t["period_start"].strftime("%Y-%m")})
            for t in _rows(
                con, "SELECT * FROM mining.trends WHERE period = 'month' ORDER BY period_start"
            )
        ],
        quarantine=[
            QuarantineLine.model_validate(q)
            for q in _rows(
                con,
                "SELECT source, reason, count(*) AS n_rows FROM mining.quarantine "
                "GROUP BY source, reason ORDER BY source, n_rows DESC, reason",
            )
        ],
    )
