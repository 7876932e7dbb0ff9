"""Write the findings: ``mining.friction`` ranked, and ``mining.finding_journeys``.

``journey_mining.analytics.findings`` counts each finding (SQL) and scores it (statistics);
this module ranks them, computes the non-overlapping explained loss, writes the two tables
and drops the findings' temp tables.

Example:
    >>> # build_findings(con)  # after the marts, inside the run's transaction  # doctest: +SKIP
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from journey_mining.analytics.findings import (
    FRICTION_COLUMNS,
    compute_counts,
    explained_losses,
    rank_findings,
    score_findings,
    terminal_activities,
)
from journey_mining.warehouse import run_sql


def _settings(con: duckdb.DuckDBPyConnection) -> tuple[int, float]:
    row = con.execute("SELECT min_journeys, q_threshold FROM mining.analysis_window").fetchone()
    assert row is not None
    return int(row[0]), float(row[1])


def build_findings(con: duckdb.DuckDBPyConnection) -> int:
    """Write ``mining.friction`` and ``mining.finding_journeys``; return the number of findings."""
    min_journeys, q_threshold = _settings(con)
    counts = compute_counts(con)
    scored = score_findings(counts, min_journeys, q_threshold, terminal_activities(con))
    ranked = rank_findings(scored)
    con.register("_finding_ranks", ranked[["finding_key", "segment", "segment_value", "rank"]])
    con.execute(
        "CREATE OR REPLACE TEMP TABLE int_finding_ranks AS SELECT finding_key::VARCHAR AS finding_key, "
        "segment::VARCHAR AS segment, segment_value::VARCHAR AS segment_value, rank::BIGINT AS rank "
        "FROM _finding_ranks"
    )
    con.unregister("_finding_ranks")
    run_sql(con, "analytics/findings/overlap.sql")
    overlap = con.execute("SELECT * FROM temp.int_finding_overlap").df()
    frame = explained_losses(ranked, overlap)
    _write_friction(con, frame)
    ids = frame.loc[
        frame["segment"].isna() & frame["in_default_view"], ["finding_key", "finding_id"]
    ]
    con.register("_finding_ids", ids)
    con.execute(
        "CREATE OR REPLACE TABLE mining.finding_journeys AS "
        "SELECT ids.finding_id::VARCHAR AS finding_id, journeys.case_id "
        "FROM temp.int_finding_exposed AS exposed INNER JOIN _finding_ids AS ids USING (finding_key) "
        "INNER JOIN temp.int_finding_journeys AS journeys USING (journey_no) "
        "UNION ALL SELECT ids.finding_id::VARCHAR, journeys.case_id "
        "FROM temp.int_finding_exposed_variants AS exposed "
        "INNER JOIN _finding_ids AS ids USING (finding_key) "
        "INNER JOIN temp.int_finding_journeys AS journeys USING (variant_id)"
    )
    con.unregister("_finding_ids")
    for table in (
        "int_finding_journeys",
        "int_finding_times",
        "int_finding_steps",
        "int_finding_events",
        "int_finding_variant_firsts",
        "int_finding_variant_counts",
        "int_finding_variant_rows",
        "int_finding_attributes",
        "int_finding_strata",
        "int_finding_context",
        "int_finding_rows",
        "int_finding_defs",
        "int_finding_doses",
        "int_finding_terminal",
        "int_finding_counts",
        "int_finding_ranks",
        "int_finding_overlap",
        "int_finding_exposed",
        "int_finding_exposed_pairs",
        "int_finding_exposed_variants",
    ):
        con.execute(f"DROP TABLE IF EXISTS temp.{table}")
    return len(frame)


def _write_friction(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> None:
    out = frame.reindex(columns=list(FRICTION_COLUMNS))
    out = out.replace({np.nan: None})
    con.register("_friction_frame", out)
    projection = ", ".join(f'"{c}"::{t} AS "{c}"' for c, t in FRICTION_COLUMNS.items())
    con.execute(
        f"CREATE OR REPLACE TABLE mining.friction AS SELECT {projection} FROM _friction_frame "
        "ORDER BY segment NULLS FIRST, segment_value NULLS FIRST, rank"
    )
    con.unregister("_friction_frame")
