"""Identity stitching: identifiers that co-occur on a row are one customer.

Rows of every source name identifiers (email, CRM contact id, product user id, …); the
kinds listed in the pipeline's ``identity.link_on`` join records: two identifiers seen on
the same row are connected, and each connected component of identifiers is one customer.
Emails are normalised (trimmed, lower-cased) in staging. Components are found in SQL by
min-label propagation with pointer jumping, repeated until no label changes; the customer
id is derived from the component's smallest identifier, so it is stable across runs.

An identifier value seen with implausibly many values of another kind (a shared inbox, a
test account: ``identity.shared_identifier_limit``) would merge unrelated people; by default
it is not used as a link (``mining.shared_identifiers`` lists it). After the journeys are
built, ``write_stitching`` records per source how many of its journeys join another source
(``mining.stitching``) and returns the warnings.

Example:
    >>> # stitch_identities(con)  # after intermediate/int_rows.sql  # doctest: +SKIP
"""

from __future__ import annotations

import duckdb

from journey_mining.config import IdentityConfig
from journey_mining.warehouse import run_sql, run_sql_with

MAX_ROUNDS = 200


def stitch_identities(
    con: duckdb.DuckDBPyConnection, identity: IdentityConfig | None = None
) -> int:
    """Build ``temp.int_identity_labels``; return the propagation rounds used.

    Reads ``temp.int_rows``: each usable row's ``anchor`` (its smallest identifier of a
    linking kind, ``kind:value``) and ``nodes`` (all of them, on rows naming two or more).
    Shared identifier values are taken out of the links first (see the module doc).
    """
    unlink_shared_identifiers(con, identity or IdentityConfig())
    run_sql(con, "intermediate/int_identity_edges.sql")
    run_sql(con, "intermediate/int_identity_labels.sql")
    rounds = 0
    while rounds < MAX_ROUNDS:
        rounds += 1
        run_sql(con, "intermediate/int_identity_next_labels.sql")
        changed = con.execute(
            "SELECT count(*) FROM int_identity_next_labels JOIN temp.int_identity_labels AS old "
            "USING (node) WHERE int_identity_next_labels.label <> old.label"
        ).fetchone()
        con.execute(
            "CREATE OR REPLACE TEMP TABLE int_identity_labels AS "
            "SELECT node, label FROM int_identity_next_labels ORDER BY node"
        )
        if not changed or not changed[0]:
            break
    con.execute("DROP TABLE IF EXISTS int_identity_next_labels")
    con.execute("DROP TABLE IF EXISTS temp.int_identity_edges")
    return rounds


def unlink_shared_identifiers(con: duckdb.DuckDBPyConnection, identity: IdentityConfig) -> int:
    """Find the shared identifier values; unless they may link, rewrite ``temp.int_rows`` without.

    Returns how many values are shared. Rows left with no linking identifier join no
    journey; ``temp.int_unlinked_rows`` counts them per source.
    """
    run_sql_with(
        con,
        "intermediate/int_shared_identifiers.sql",
        {
            "limit": identity.shared_identifier_limit,
            "many_per_customer": list(identity.many_per_customer),
        },
    )
    shared = con.execute("SELECT count(*) FROM temp.int_shared_identifiers").fetchone()
    n_shared = int(shared[0]) if shared else 0
    if n_shared and not identity.link_shared_identifiers:
        run_sql(con, "intermediate/int_unlinked_rows.sql")
    else:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE int_unlinked_rows (source VARCHAR, n_rows BIGINT)"
        )
    return n_shared


def write_stitching(con: duckdb.DuckDBPyConnection, identity: IdentityConfig) -> list[str]:
    """Write ``mining.stitching`` and ``mining.shared_identifiers``; return the warnings.

    Runs after ``mining.journey_events`` exists and before ``temp.int_rows`` is dropped.

    Example:
        >>> # write_stitching(con, pipeline.identity)  # doctest: +SKIP
        ['source product_events joins no other source: ...']
    """
    run_sql_with(con, "marts/stitching.sql", {"ratio": identity.join_warning_ratio})
    run_sql_with(
        con,
        "marts/shared_identifiers.sql",
        {"used_as_link": identity.link_shared_identifiers},
    )
    rows = con.execute(
        "SELECT warning FROM mining.stitching WHERE warning IS NOT NULL ORDER BY source"
    ).fetchall()
    return [str(r[0]) for r in rows]
