"""What each sampled column looks like: counts, distinct values, shapes, and its name's words.

One SQL query per column over the sample table gives the counts (non-empty, distinct,
emails, phone numbers, integers, numbers, range, longest value); a second its most frequent
values; a third a bounded list of distinct values for the timestamp checks.

Example:
    >>> name_tokens("properties.$user_id")
    ['user', 'id']
    >>> name_tokens("Associated Contact ID")
    ['associated', 'contact', 'id']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb

EMAIL = r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}"
PHONE = r"\+?[0-9][0-9 ().\-/]{5,22}[0-9]"
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORD = re.compile(r"[A-Za-z]+|\d+")
DISTINCT_VALUES = 2000
TOP_VALUES = 30


def name_tokens(column: str) -> list[str]:
    """The lower-case words of a column's last path segment (``engagement.ownerId`` → owner, id)."""
    last = column.split(".")[-1].split("[")[0]
    return [w.lower() for w in _WORD.findall(_CAMEL.sub(" ", last))]


@dataclass
class Profile:
    """One sampled column."""

    column: str
    tokens: list[str]
    rows: int
    filled: int
    distinct: int
    emails: int
    phones: int
    integers: int
    numbers: int
    low: float | None
    high: float | None
    longest: int
    plus_prefixed: int
    top: list[tuple[str, int]] = field(default_factory=list)
    values: list[str] = field(default_factory=list)

    def share(self, count: int) -> float:
        """``count`` as a share of the non-empty values."""
        return count / self.filled if self.filled else 0.0

    @property
    def unique(self) -> bool:
        """Every sampled row has a value, and no two the same."""
        return self.filled == self.rows > 0 and self.distinct == self.rows

    def has(self, *words: str) -> bool:
        """Whether the column's name has one of ``words``."""
        return any(w in self.tokens for w in words)


def quoted(column: str) -> str:
    """A sampled column as a SQL identifier (sample columns never hold a double quote)."""
    return '"' + column.replace('"', '""') + '"'


def profile_columns(
    con: duckdb.DuckDBPyConnection, table: str, columns: list[str]
) -> list[Profile]:
    """Profile every column of a sample table."""
    (total,) = con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0]
    profiles = []
    for column in columns:
        value = f"nullif(trim(CAST({quoted(column)} AS VARCHAR)), '')"
        row = con.execute(
            f"""
            SELECT count(v), count(DISTINCT v),
                count(*) FILTER (WHERE regexp_full_match(v, '{EMAIL}')),
                count(*) FILTER (WHERE regexp_full_match(v, '{PHONE}')
                    AND length(regexp_replace(v, '[^0-9]', '', 'g')) BETWEEN 7 AND 15),
                count(*) FILTER (WHERE regexp_full_match(v, '-?[0-9]+')),
                count(*) FILTER (WHERE regexp_full_match(v, '-?[0-9]+([.][0-9]+)?')),
                min(try_cast(v AS DOUBLE)), max(try_cast(v AS DOUBLE)),
                coalesce(max(length(v)), 0),
                count(*) FILTER (WHERE starts_with(v, '+'))
            FROM (SELECT {value} AS v FROM "{table}")
            """
        ).fetchall()[0]
        top = con.execute(
            f'SELECT v, count(*) AS n FROM (SELECT {value} AS v FROM "{table}") WHERE v IS NOT NULL '
            f"GROUP BY v ORDER BY n DESC, v LIMIT {TOP_VALUES}"
        ).fetchall()
        values = con.execute(
            f'SELECT DISTINCT {value} AS v FROM "{table}" WHERE v IS NOT NULL ORDER BY v '
            f"LIMIT {DISTINCT_VALUES}"
        ).fetchall()
        profiles.append(
            Profile(
                column=column,
                tokens=name_tokens(column),
                rows=int(total),
                filled=int(row[0]),
                distinct=int(row[1]),
                emails=int(row[2]),
                phones=int(row[3]),
                integers=int(row[4]),
                numbers=int(row[5]),
                low=None if row[6] is None else float(row[6]),
                high=None if row[7] is None else float(row[7]),
                longest=int(row[8]),
                plus_prefixed=int(row[9]),
                top=[(str(v), int(n)) for v, n in top],
                values=[str(v[0]) for v in values],
            )
        )
    return profiles


def top_text(top: list[tuple[str, int]], limit: int = 6) -> str:
    """``'created (120), solved (80), … 4 more'`` for a comment.

    Example:
        >>> top_text([("a", 3), ("b", 1)])
        'a (3), b (1)'
    """
    shown = ", ".join(f"{v[:40]} ({n:,})" for v, n in top[:limit])
    return shown + (f", … {len(top) - limit} more" if len(top) > limit else "")
