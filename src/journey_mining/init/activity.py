"""The activity of an export's rows, or its milestones when it is a wide export.

A text column with few distinct values, best-named first (``words.ACTIVITY_WEIGHTS``), is
the activity; a field-history export (``Field`` + ``NewValue``) becomes ``{Field}:{NewValue}``
restricted to its status or stage field. Several time columns with empty cells and no
activity column make a wide milestone export: each column is a milestone, its name the
activity.

Example:
    >>> milestone_activity("MQL Date")
    'mql'
"""

from __future__ import annotations

import duckdb

from journey_mining.init import words
from journey_mining.init.models import ColumnGuess, SourceGuess, TimestampGuess
from journey_mining.init.profile import Profile, name_tokens, quoted, top_text


def _activity_score(p: Profile) -> float:
    score = float(max((words.ACTIVITY_WEIGHTS.get(t, 0) for t in p.tokens), default=0))
    if set(p.tokens) & words.NOT_ACTIVITY:
        score -= 3
    return score + (1.0 if 2 <= p.distinct <= 60 else 0.0)


def detect_activity(
    con: duckdb.DuckDBPyConnection,
    guess: SourceGuess,
    table: str,
    profiles: list[Profile],
    timed: set[str],
) -> None:
    used = {i.column for i in guess.identifiers} | timed
    lower = {p.column.lower().replace("_", ""): p for p in profiles}
    field, new = lower.get("field") or lower.get("fieldname"), lower.get("newvalue")
    if field is not None and new is not None:
        fields = [v for v, _ in field.top]
        chosen = next(
            (v for v in fields if "status" in v.lower() or "stage" in v.lower()), fields[0]
        )
        guess.activity_template = "{" + field.column + "}:{" + new.column + "}"
        guess.events_where = (field.column, chosen)
        guess.activity = ColumnGuess(
            column=field.column,
            values=field.top,
            evidence=(
                f"a field history ({field.column} + {new.column}); fields: {top_text(field.top)}; "
                f"events: the {chosen!r} changes"
            ),
        )
        guess.activities = activity_values(con, table, guess.activity_template, guess.events_where)
        return
    candidates = [
        p
        for p in profiles
        if p.column not in used
        and p.filled
        and 2 <= p.distinct <= 500
        and p.longest <= 120
        and (p.rows < 20 or p.distinct <= 0.5 * p.filled)
        and p.integers < p.filled
        and p.share(p.emails) < 0.5
        and not set(p.tokens) & words.RESOURCE_WORDS
    ]
    candidates.sort(key=lambda p: -_activity_score(p))
    ranked = [p for p in candidates if _activity_score(p) > 0]
    if not ranked:
        return
    best = ranked[0]
    guess.activity = ColumnGuess(
        column=best.column,
        values=best.top,
        evidence=(f"{best.distinct:,} distinct values: {top_text(best.top)}"),
    )
    guess.activity_alternatives = [
        ColumnGuess(
            column=p.column, values=p.top, evidence=f"{p.distinct:,} values: {top_text(p.top, 3)}"
        )
        for p in ranked[1:4]
    ]
    guess.activities = activity_values(con, table, "{" + best.column + "}", None)


def activity_values(
    con: duckdb.DuckDBPyConnection, table: str, template: str, events_where: tuple[str, str] | None
) -> list[str]:
    """The distinct activities a template (``{col}`` parts) gives on the sample's event rows."""
    parts, rest = [], template
    while "{" in rest:
        before, _, after = rest.partition("{")
        column, _, rest = after.partition("}")
        if before:
            parts.append("'" + before.replace("'", "''") + "'")
        parts.append(f"nullif(trim({quoted(column)}), '')")
    if rest:
        parts.append("'" + rest.replace("'", "''") + "'")
    expression = " || ".join(parts) if parts else "NULL"
    where = ""
    parameters: list[object] = []
    if events_where is not None:
        where = f"WHERE {quoted(events_where[0])} = ?"
        parameters.append(events_where[1])
    rows = con.execute(
        f'SELECT a, count(*) AS n FROM (SELECT {expression} AS a FROM "{table}" {where}) '
        "WHERE a IS NOT NULL GROUP BY a ORDER BY n DESC, a",
        parameters,
    ).fetchall()
    return [str(r[0]) for r in rows]


def milestone_activity(column: str) -> str:
    """The activity a milestone column names: its words without date/at/time."""
    words = [
        t for t in name_tokens(column) if t not in {"date", "at", "on", "time", "timestamp", "ts"}
    ]
    return "_".join(words) or column.lower()


def milestones_or_time(
    guess: SourceGuess, times: list[TimestampGuess], by_name: dict[str, Profile]
) -> None:
    if not times:
        return
    early = [t for t in times if not set(by_name[t.column].tokens) & words.LATE_WORDS]
    gaps = [t for t in early if by_name[t.column].filled < by_name[t.column].rows]
    if guess.activity is None and len(early) >= 2 and gaps:
        ordered = [t for p in by_name.values() for t in early if t.column == p.column]
        guess.milestones = ordered
        guess.activities = [milestone_activity(t.column) for t in ordered]
        filled = ", ".join(
            f"{t.column} {by_name[t.column].filled / max(by_name[t.column].rows, 1):.0%}"
            for t in ordered
        )
        guess.notes.append(
            f"wide milestone export: {len(ordered)} date columns, one row per "
            f"record; filled: {filled} (an empty cell = not reached)"
        )
        return
    guess.timestamp = times[0]
    guess.timestamp_alternatives = [t.column for t in times[1:]]
