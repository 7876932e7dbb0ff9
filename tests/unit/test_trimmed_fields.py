"""``compile.trimmed``: the guarded trim gives exactly what ``trim`` over every white space gives."""

from __future__ import annotations

import random

import duckdb

from journey_mining.connectors.compile import _TRIM, WHITESPACE, trimmed

# the edges that matter: every trimmed character, the printable ASCII bounds (space is 32,
# '!' 33, '~' 126, DEL 127), controls that are not trimmed, combining marks, non-ASCII letters
_ALPHABET = [*WHITESPACE, "\x00", "\x01", "\x1f", "!", "~", "\x7f", "a", "Z", "0", "é", "\u0301"]
_ALPHABET += ["\u200c", "\u00ad", "日", "😀", "'", '"', "\\"]


def _values() -> list[str | None]:
    rng = random.Random(20261207)
    values: list[str | None] = [None, "", " ", "a", "!", "~", " a ", "a b", "\u00a0x\u3000"]
    values += list(_ALPHABET)
    values += [
        "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(1, 6))) for _ in range(4000)
    ]
    return values


def test_trimmed_equals_the_full_trim() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE v (i INTEGER, s VARCHAR)")
    con.executemany("INSERT INTO v VALUES (?, ?)", list(enumerate(_values())))
    differing = con.execute(
        f"SELECT i, s FROM v WHERE {trimmed('s')} IS DISTINCT FROM nullif(trim(s, {_TRIM}), '')"
    ).fetchall()
    assert differing == []
    (nulls,) = con.execute(f"SELECT count(*) FROM v WHERE {trimmed('s')} IS NULL").fetchone() or (
        0,
    )
    assert nulls > 1  # the blank values and NULL itself
