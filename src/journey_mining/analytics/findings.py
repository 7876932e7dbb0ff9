"""Findings: what is different about the journeys that do not reach the goal, stated truthfully.

Each kind of finding has an exposure model (docs/findings.md): the population at risk (the
journeys that reached the point where it could happen, observed long enough after it), the
exposed and unexposed groups within it, and the outcome (the goal reached). The SQL in
``sql/analytics/findings/`` builds, per kind, one row per journey of each population with the
findings it is exposed to, and counts the 2×2 tables — over all journeys and within each value
of each declared segment. Here the counts get their statistics
(``journey_mining.analytics.statistics``), a Benjamini–Hochberg q-value across every finding of
the run, a replication check, a rank, the journeys each shares with findings ranked above it and
a non-overlapping explained loss; ``mining.friction`` is written ranked, with the default view
flagged. This loops over findings (hundreds), never over journeys or events.

Example:
    >>> # n_findings = build_findings(con)  # analytics.friction, after the marts  # doctest: +SKIP
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from journey_mining.analytics.statistics import (
    benjamini_hochberg,
    conservative_loss,
)
from journey_mining.analytics.strata import compare, pool_strata, unexposed_rate
from journey_mining.analytics.waits import add_wait_medians
from journey_mining.warehouse import run_sql

KIND_MODELS = (
    "during_step",
    "repetition",
    "repeat_contact",
    "skipped_step",
    "out_of_order",
    "path",
    "segment",
    "slow_step",
    "step_changes",
    "episode_ping_pong",
)
"""One SQL file per kind of finding under ``sql/analytics/findings/``, run in this order: the
kinds about each journey's times first (their inputs are then let go), the ones about the
steps' teams and channels last (``slow_step.sql`` makes their input). A kind's counts do not
depend on the order."""

RELEASED_AFTER: dict[str, tuple[str, ...]] = {
    # base.sql copies each journey's times into int_finding_times: the run's journey lists
    # (findings is their last reader) are let go before any kind is built
    "base": ("int_journey_paths",),
    "step_changes": ("int_finding_steps",),
    "repeat_contact": ("int_finding_events", "int_finding_times"),
}
"""The inputs no step after this one (``base`` or a kind) reads: dropped once it is done,
so the later kinds, the overlap and the ranking do not work under their memory (millions of
rows at 10^7 events, against the pipeline's ``memory_limit``)."""

ACTIVITY_KINDS = ("during_step", "repetition")
"""Kinds whose exposure is an activity: the ones an undeclared negation of the goal can fake."""

FRICTION_COLUMNS: dict[str, str] = {
    "rank": "BIGINT",
    "finding_id": "VARCHAR",
    "kind": "VARCHAR",
    "label": "VARCHAR",
    "segment": "VARCHAR",
    "segment_value": "VARCHAR",
    "step_no": "BIGINT",
    "step": "VARCHAR",
    "activity": "VARCHAR",
    "from_activity": "VARCHAR",
    "to_activity": "VARCHAR",
    "from_team": "VARCHAR",
    "to_team": "VARCHAR",
    "dose": "INTEGER",
    "attribute": "VARCHAR",
    "attribute_value": "VARCHAR",
    "path": "VARCHAR[]",
    "population": "VARCHAR",
    "n_population": "BIGINT",
    "n_exposed": "BIGINT",
    "n_unexposed": "BIGINT",
    "goal_exposed": "BIGINT",
    "goal_unexposed": "BIGINT",
    "rate_exposed": "DOUBLE",
    "rate_unexposed": "DOUBLE",
    "difference": "DOUBLE",
    "difference_low": "DOUBLE",
    "difference_high": "DOUBLE",
    "p_value": "DOUBLE",
    "q_value": "DOUBLE",
    "loss": "DOUBLE",
    "loss_low": "DOUBLE",
    "loss_high": "DOUBLE",
    "direction": "VARCHAR",
    "tested": "BOOLEAN",
    "replicated_hash": "BOOLEAN",
    "replicated_time": "BOOLEAN",
    "replicated": "BOOLEAN",
    "in_default_view": "BOOLEAN",
    "shared_with_above": "BIGINT",
    "explained_loss": "DOUBLE",
    "median_wait_exposed_s": "DOUBLE",
    "median_wait_unexposed_s": "DOUBLE",
    "threshold_s": "DOUBLE",
    "landmark_s": "DOUBLE",
    "note": "VARCHAR",
}


def score_findings(
    counts: pd.DataFrame,
    min_journeys: int,
    q_threshold: float,
    terminal_activities: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Pool each finding's strata and add the statistics and the default-view flag.

    ``counts`` has, per finding (``finding_id``) and progress ``stratum`` (absent or NULL for
    the kinds with one table), ``n_population``, ``goal_population``, ``n_exposed``,
    ``goal_exposed`` and the same four for each half of the two replication splits (suffixes
    ``_h1``, ``_h2``, ``_t1``, ``_t2``); see ``journey_mining.analytics.strata``. A finding is
    *tested* when both groups hold at least ``min_journeys`` journeys; q-values are over the
    tested findings. The default view: tested, ``q < q_threshold``, and not the outcome restated
    (an activity after which no journey ever reached the goal: ``terminal_activities``).

    Example:
        >>> import pandas as pd
        >>> counts = pd.DataFrame({"finding_id": ["f"], "kind": ["during_step"], "activity": ["x"],
        ...     "n_population": [200], "goal_population": [100], "n_exposed": [50],
        ...     "goal_exposed": [10]})
        >>> scored = score_findings(counts, min_journeys=30, q_threshold=0.05)
        >>> scored.loc[0, ["rate_exposed", "rate_unexposed", "loss", "in_default_view"]].tolist()
        [0.2, 0.6, 20.0, True]
    """
    frame = pool_strata(counts)
    n1, x1 = frame["n1"].to_numpy(dtype=np.int64), frame["x1"].to_numpy(dtype=np.int64)
    n0, x0 = frame["n0"].to_numpy(dtype=np.int64), frame["x0"].to_numpy(dtype=np.int64)
    difference, low, high, p = compare(frame)
    frame["n_exposed"], frame["goal_exposed"] = n1, x1
    frame["n_unexposed"], frame["goal_unexposed"] = n0, x0
    frame["n_population"] = n1 + n0
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["rate_exposed"] = np.where(n1 > 0, x1 / np.maximum(n1, 1), np.nan)
    frame["rate_unexposed"] = unexposed_rate(frame)
    frame["difference"], frame["difference_low"], frame["difference_high"] = difference, low, high
    frame["loss"] = -n1 * difference
    frame["loss_low"] = -n1 * high
    frame["loss_high"] = -n1 * low
    tested = (n1 >= min_journeys) & (n0 >= min_journeys)
    frame["p_value"] = p
    frame["tested"] = tested
    frame["q_value"] = benjamini_hochberg(np.where(tested, p, np.nan))
    frame["direction"] = np.where(difference < 0, "loss", np.where(difference > 0, "gain", "none"))
    sign = np.sign(np.nan_to_num(difference))
    for split, name in (("h", "hash"), ("t", "time")):
        held = []
        for half in (1, 2):
            d_half, _, _, p_half = compare(frame, f"_{split}{half}")
            held.append(
                (np.nan_to_num(p_half, nan=1.0) < 0.05)
                & (np.sign(np.nan_to_num(d_half)) == sign)
                & (sign != 0)
            )
        frame[f"replicated_{name}"] = held[0] & held[1]
    frame["replicated"] = frame["replicated_hash"] & frame["replicated_time"]
    restated = frame["kind"].isin(ACTIVITY_KINDS) & frame["activity"].isin(terminal_activities)
    untested = f"fewer than {min_journeys} journeys in a group: not tested"
    restated_note = (
        "no journey reached the goal after "
        + frame["activity"].astype(str)
        + ": it restates the outcome; if it means the goal will not be reached, declare it "
        "in findings.negations"
    )
    frame["note"] = [
        restated_text if is_restated else (None if is_tested else untested)
        for restated_text, is_restated, is_tested in zip(
            restated_note, restated, tested, strict=True
        )
    ]
    q = frame["q_value"].to_numpy(dtype=np.float64)
    frame["in_default_view"] = (
        tested & ~restated.to_numpy() & (np.nan_to_num(q, nan=1.0) < q_threshold)
    )
    return frame


def rank_findings(scored: pd.DataFrame) -> pd.DataFrame:
    """Order findings within each stratum and number them ``rank`` (1 = first).

    Default view first, then the other tested findings, then the untested; within each,
    replicated findings first, losses before gains, then by the end of the loss interval
    nearest zero (the loss one can count on), largest first.
    """
    frame = scored.copy()
    conservative = conservative_loss(
        frame["loss"].to_numpy(dtype=np.float64),
        frame["loss_low"].to_numpy(dtype=np.float64),
        frame["loss_high"].to_numpy(dtype=np.float64),
    )
    frame["_default"] = ~frame["in_default_view"].astype(bool)
    frame["_untested"] = ~frame["tested"].astype(bool)
    frame["_replicated"] = ~frame["replicated"].astype(bool)
    frame["_gain"] = frame["direction"] != "loss"
    frame["_weight"] = -np.abs(conservative)
    frame["_size"] = -np.abs(np.nan_to_num(frame["loss"].to_numpy(dtype=np.float64)))
    frame["_segment"] = frame["segment"].fillna("")
    frame["_value"] = frame["segment_value"].fillna("")
    frame = frame.sort_values(
        [
            "_segment",
            "_value",
            "_default",
            "_replicated",
            "_gain",
            "_weight",
            "_size",
            "finding_id",
        ],
        kind="stable",
    )
    frame["rank"] = frame.groupby(["_segment", "_value"], sort=False).cumcount() + 1
    return frame.drop(
        columns=["_default", "_replicated", "_gain", "_weight", "_size", "_segment", "_value"]
    )


def explained_losses(ranked: pd.DataFrame, overlap: pd.DataFrame) -> pd.DataFrame:
    """Add ``shared_with_above`` and the non-overlapping ``explained_loss``.

    ``shared_with_above`` is given for tested findings (the overlap of the ones too small to test
    is not worked out). A default-view loss explains, of the non-converted journeys it is the first (by rank) to
    expose, the share its exposure accounts for: its attributable fraction among the exposed,
    ``(failure rate exposed - failure rate unexposed) / failure rate exposed``. Summed over a
    stratum's findings it never exceeds that stratum's non-converted journeys.
    """
    frame = ranked.merge(overlap, how="left", on=["finding_key", "segment", "segment_value"])
    tested = frame["tested"].astype(bool)
    frame["shared_with_above"] = np.where(tested, frame["shared_with_above"].fillna(0), np.nan)
    failures_exposed = 1 - frame["rate_exposed"].to_numpy(dtype=np.float64)
    failures_unexposed = 1 - frame["rate_unexposed"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.clip((failures_exposed - failures_unexposed) / failures_exposed, 0.0, 1.0)
    eligible = frame["in_default_view"].astype(bool) & (frame["direction"] == "loss")
    first = frame["first_failures"].fillna(0).to_numpy(dtype=np.float64)
    frame["explained_loss"] = np.where(
        eligible, np.round(first * np.nan_to_num(fraction), 6), np.nan
    )
    return frame.drop(columns=["first_failures"])


def compute_counts(con: duckdb.DuckDBPyConnection, keep_rows: bool = False) -> pd.DataFrame:
    """Run the findings' SQL (base, then each kind and its counts) and return the counts.

    Each kind's membership rows are counted and dropped before the next kind is built. With
    ``keep_rows`` they are also kept, all kinds together, in ``temp.int_finding_kept_rows``
    (journeys) and ``temp.int_finding_kept_variant_rows`` (variants), for tests that count
    them again under another outcome. The shared inputs no later kind reads are dropped after
    their last kind (``RELEASED_AFTER``); the other temp tables ``int_finding_*`` stay for
    ``build_findings``.
    """
    if not (_temp_table(con, "int_journey_paths") and _temp_table(con, "int_step_reached")):
        run_sql(con, "analytics/findings/inputs_from_contract.sql")
    run_sql(con, "analytics/findings/base.sql")
    _release(con, "base")
    run_sql(con, "analytics/findings/rows.sql")
    if keep_rows:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE int_finding_kept_rows AS FROM temp.int_finding_rows"
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE int_finding_kept_variant_rows AS "
            "FROM temp.int_finding_variant_rows"
        )
    for kind in KIND_MODELS:
        run_sql(con, "analytics/findings/rows.sql")
        run_sql(con, f"analytics/findings/{kind}.sql")
        run_sql(con, "analytics/findings/counts.sql")
        add_wait_medians(con)
        if keep_rows:
            con.execute("INSERT INTO temp.int_finding_kept_rows FROM temp.int_finding_rows")
            con.execute(
                "INSERT INTO temp.int_finding_kept_variant_rows FROM temp.int_finding_variant_rows"
            )
        _release(con, kind)
    return con.execute(
        "SELECT *, substr(md5(finding_key || chr(31) || coalesce(segment, '') || chr(31) "
        "|| coalesce(segment_value, '')), 1, 16) AS finding_id FROM temp.int_finding_counts "
        "ORDER BY finding_key, segment NULLS FIRST, segment_value NULLS FIRST, stratum NULLS FIRST"
    ).df()


def _release(con: duckdb.DuckDBPyConnection, step: str) -> None:
    for table in RELEASED_AFTER.get(step, ()):
        con.execute(f"DROP TABLE IF EXISTS temp.{table}")


def _temp_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?", [name]
    ).fetchone()
    return bool(row and row[0])


def terminal_activities(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """Activities after which no journey of the population reached the goal (see repetition.sql)."""
    return frozenset(
        str(r[0]) for r in con.execute("SELECT activity FROM temp.int_finding_terminal").fetchall()
    )
