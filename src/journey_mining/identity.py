"""Identity stitching: identifiers that co-occur on a row are one customer.

Rows of every source name identifiers (email, CRM contact id, product user id, …); the
kinds listed in the pipeline's ``identity.link_on`` join records: two identifiers seen on
the same row are connected, and each connected component of identifiers is one customer.
Emails are normalised (trimmed, lower-cased) in staging. Components are found in SQL by
min-label propagation with pointer jumping, repeated until no label changes; the customer
id is derived from the component's smallest identifier, so it is stable across runs.

Example:
    >>> # stitch_identities(con)  # after intermediate/int_rows.sql  # doctest: +SKIP
"""

from __future__ import annotations

import duckdb

from journey_mining.warehouse import run_sql

MAX_ROUNDS = 200


def stitch_identities(con: duckdb.DuckDBPyConnection) -> int:
    """Build ``mining.identity_map`` and ``mining.customers``; return the propagation rounds used.

    Reads ``temp.int_rows``: each usable row's ``anchor`` (its smallest identifier of a
    linking kind, ``kind:value``) and ``nodes`` (all of them, on rows naming two or more).
    """
    run_sql(con, "intermediate/int_identity_graph.sql")
    rounds = 0
    while rounds < MAX_ROUNDS:
        rounds += 1
        run_sql(con, "intermediate/int_identity_propagate.sql")
        changed = con.execute(
            "SELECT count(*) FROM _next_labels JOIN temp.int_identity_labels AS old "
            "USING (node) WHERE _next_labels.label <> old.label"
        ).fetchone()
        con.execute(
            "CREATE OR REPLACE TEMP TABLE int_identity_labels AS "
            "SELECT node, label FROM _next_labels ORDER BY node"
        )
        if not changed or not changed[0]:
            break
    con.execute("DROP TABLE IF EXISTS _next_labels")
    run_sql(con, "marts/customers.sql")
    return rounds
