"""The run summary: what the terminal shows and ``summary --json`` prints.

Read from the contract tables of an existing warehouse (never from events directly).

Example:
    >>> # summary = build_summary(connect("journeys.duckdb", read_only=True))  # doctest: +SKIP
"""

from __future__ import annotations

import duckdb
from pydantic import BaseModel

from journey_mining.report.stitching import SharedIdentifierLine, StitchingLine, read_stitching
from journey_mining.warehouse import require_tables

COVERAGE_TARGET = 0.8


class DeviationLine(BaseModel):
    """A kind of deviation at an activity, with the journeys it affects."""

    kind: str
    activity: str
    n_journeys: int
    share: float


class FunnelLine(BaseModel):
    """One step of the funnel along the happy path."""

    step_no: int
    step: str
    reached: int
    skipped: int
    dropped: int
    conversion_to_next: float | None
    median_s_from_previous: float | None
    median_s_to_next: float | None
    n_late: int


class FrictionLine(BaseModel):
    """One ranked friction finding."""

    rank: int
    kind: str
    where: str
    n_cases: int
    goal_rate_with: float | None
    goal_rate_without: float | None
    impact: float
    p_value: float | None
    median_wait_s: float | None
    baseline_wait_s: float | None


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
    share_conforming: float
    share_reached_goal: float
    top_variants: list[dict[str, object]]
    top_deviations: list[DeviationLine]
    funnel: list[FunnelLine]
    top_friction: list[FrictionLine]
    quarantine: list[QuarantineLine]
    stitching: list[StitchingLine] = []
    shared_identifiers: list[SharedIdentifierLine] = []
    warnings: list[str] = []


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, object]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def build_summary(con: duckdb.DuckDBPyConnection, top: int = 10) -> Summary:
    """Collect the summary from the warehouse behind ``con``."""
    require_tables(
        con,
        "mining.journeys",
        "mining.variants",
        "mining.deviations",
        "mining.funnel",
        "mining.friction",
        "mining.journey_events",
    )
    head = con.execute(
        """
        SELECT
            (SELECT count(*) FROM mining.journeys),
            (SELECT count(*) FROM mining.journey_events),
            (SELECT count(DISTINCT customer_id) FROM mining.journeys),
            (SELECT count(*) FROM mining.variants),
            (SELECT count(*) FROM mining.variants
                WHERE cumulative_share - share < ?),
            coalesce((SELECT avg(conforms::INTEGER) FROM mining.journeys), 0),
            coalesce((SELECT avg(reached_goal::INTEGER) FROM mining.journeys), 0),
            (SELECT max(run_id) FROM mining.runs WHERE status = 'succeeded')
        """,
        [COVERAGE_TARGET],
    ).fetchone()
    assert head is not None
    journeys = int(head[0])
    top_variants = _rows(
        con,
        f"SELECT rank, variant_id, n_cases, round(share, 4) AS share, activities, fitness, conforms "
        f"FROM mining.variants ORDER BY rank LIMIT {int(top)}",
    )
    deviations = _rows(
        con,
        f"""
        SELECT kind, activity, sum(n_cases) AS n_journeys
        FROM (SELECT DISTINCT variant_id, kind, activity, n_cases FROM mining.deviations)
        GROUP BY kind, activity
        ORDER BY n_journeys DESC, kind, activity
        LIMIT {int(top)}
        """,
    )
    funnel = _rows(con, "SELECT * FROM mining.funnel ORDER BY step_no")
    friction = _rows(con, f"SELECT * FROM mining.friction ORDER BY rank LIMIT {int(top)}")
    quarantine = _rows(
        con,
        "SELECT source, reason, count(*) AS n_rows FROM mining.quarantine "
        "GROUP BY source, reason ORDER BY source, n_rows DESC, reason",
    )
    stitching, shared = read_stitching(con, top=top)
    return Summary(
        stitching=stitching,
        shared_identifiers=shared,
        warnings=[line.warning for line in stitching if line.warning],
        run_id=head[7],
        journeys=journeys,
        events=int(head[1]),
        customers=int(head[2]),
        variants=int(head[3]),
        variants_covering_80pct=int(head[4]),
        share_conforming=float(head[5]),
        share_reached_goal=float(head[6]),
        top_variants=top_variants,
        top_deviations=[
            DeviationLine(
                kind=str(d["kind"]),
                activity=str(d["activity"]),
                n_journeys=int(d["n_journeys"]),  # type: ignore[call-overload]
                share=int(d["n_journeys"]) / journeys if journeys else 0.0,  # type: ignore[call-overload]
            )
            for d in deviations
        ],
        funnel=[FunnelLine.model_validate(f) for f in funnel],
        top_friction=[FrictionLine.model_validate(f) for f in friction],
        quarantine=[QuarantineLine.model_validate(q) for q in quarantine],
    )
