"""The contract tables as pandas frames: what ``jm.table``, ``jm.variants`` … return.

Every function opens the warehouse read-only, reads one contract table (``mining.<name>``)
or a filtered view of it, and closes it again. ``journey_mining.api`` re-exports them.

Example:
    >>> "journey_events" in CONTRACT_TABLES
    True
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from journey_mining.errors import WarehouseError
from journey_mining.warehouse import connect, require_tables

CONTRACT_TABLES = (
    "journey_events",
    "journeys",
    "journey_steps",
    "variants",
    "dfg_edges",
    "endpoints",
    "deviations",
    "deviation_rates",
    "funnel",
    "friction",
    "finding_journeys",
    "handoffs",
    "customers",
    "customer_attributes",
    "identity_map",
    "segments",
    "segment_funnel",
    "trends",
    "analysis_window",
    "quarantine",
    "runs",
    "run_sources",
)


def table(warehouse: str | Path, name: str, limit: int | None = None) -> pd.DataFrame:
    """One contract table (``mining.<name>``) as a pandas frame.

    Example:
        >>> jm.table("journeys.duckdb", "dfg_edges").columns[:3].tolist()  # doctest: +SKIP
        ['source', 'target', 'n_transitions']
    """
    if name not in CONTRACT_TABLES:
        raise WarehouseError(f"unknown table {name!r}. Fix: use one of {list(CONTRACT_TABLES)}.")
    con = connect(warehouse, read_only=True)
    try:
        require_tables(con, f"mining.{name}")
        query = f"SELECT * FROM mining.{name}"
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        return con.execute(query).df()
    finally:
        con.close()


def variants(warehouse: str | Path, top: int | None = None) -> pd.DataFrame:
    """Variants, most frequent first: activities, journeys, share, fitness, fits_path."""
    return table(warehouse, "variants", limit=top)


def journeys(warehouse: str | Path) -> pd.DataFrame:
    """One row per journey: dates, variant, goal, status, fits_path, conforms, in_findings."""
    return table(warehouse, "journeys")


def deviations(warehouse: str | Path) -> pd.DataFrame:
    """Named deviations per variant (skipped, inserted, repeated, out_of_order, timed_out)."""
    return table(warehouse, "deviations")


def funnel(warehouse: str | Path) -> pd.DataFrame:
    """The funnel along the happy path: reached (in order), stopped, in progress, conversion, waits."""
    return table(warehouse, "funnel")


def findings(
    warehouse: str | Path, all_findings: bool = False, segment: str | None = None
) -> pd.DataFrame:
    """Findings, ranked: by default the default view over all journeys.

    The default view holds the tested findings whose q-value is below the pipeline's
    ``findings.q_threshold``, replicated ones first, losses ranked by the end of their loss
    interval nearest zero (docs/findings.md). ``all_findings=True`` returns every finding,
    tested or not; ``segment="company_size"`` the findings computed within each value of that
    attribute instead of over all journeys.

    Example:
        >>> jm.findings("journeys.duckdb")[["label", "rate_exposed", "rate_unexposed"]]  # doctest: +SKIP
    """
    con = connect(warehouse, read_only=True)
    try:
        require_tables(con, "mining.friction")
        where = ["segment = ?" if segment else "segment IS NULL"]
        if not all_findings:
            where.append("in_default_view")
        query = (
            f"SELECT * FROM mining.friction WHERE {' AND '.join(where)} "
            "ORDER BY segment, segment_value, rank"
        )
        return con.execute(query, [segment] if segment else []).df()
    finally:
        con.close()


def friction(warehouse: str | Path, all_findings: bool = False) -> pd.DataFrame:
    """The findings over all journeys (``findings``' default view; ``all_findings`` for all)."""
    return findings(warehouse, all_findings=all_findings)


def finding_journeys(warehouse: str | Path, finding_id: str) -> pd.DataFrame:
    """The exposed journeys of one finding (over all journeys), with their journey rows.

    Example:
        >>> top = jm.findings("journeys.duckdb").finding_id[0]  # doctest: +SKIP
        >>> jm.finding_journeys("journeys.duckdb", top).head()  # doctest: +SKIP
    """
    con = connect(warehouse, read_only=True)
    try:
        require_tables(con, "mining.finding_journeys", "mining.journeys")
        return con.execute(
            "SELECT journeys.* FROM mining.finding_journeys AS exposed "
            "INNER JOIN mining.journeys AS journeys USING (case_id) "
            "WHERE exposed.finding_id = ? ORDER BY journeys.case_id",
            [finding_id],
        ).df()
    finally:
        con.close()


def segments(warehouse: str | Path) -> pd.DataFrame:
    """Per value of each declared segment attribute: journeys, conformance, goal rate with CI."""
    return table(warehouse, "segments")


def trends(warehouse: str | Path, period: str = "month") -> pd.DataFrame:
    """Conformance and goal rate per ``week`` or ``month`` of journey start."""
    if period not in ("week", "month"):
        raise WarehouseError(f"unknown period {period!r}. Fix: use 'week' or 'month'.")
    frame = table(warehouse, "trends")
    return frame[frame["period"] == period].reset_index(drop=True)


def process_map(warehouse: str | Path) -> pd.DataFrame:
    """The directly-follows edges with frequencies and waiting times."""
    return table(warehouse, "dfg_edges")
