"""The role of each column of an export no shipped preset fits, from its values and its name.

Rules (each guess records what it saw):

* **timestamps**: values that read as times (``timestamps.py``); epoch numbers only in a
  column whose name says time (``…_at``, ``time``, ``date``, ``created``…). The event time is
  the best-named one (``timestamp``, ``time``, ``created``… first; ``updated``, ``processed``,
  ``due``… last). Several time columns with empty cells and no activity column: a **wide
  milestone** export (one date column per milestone).
* **identifiers**: ≥ 80 % e-mail addresses → ``email``; phone numbers in a column named like
  one (or written ``+…``) → ``phone``; id-like names → ``user_id`` (user, customer, visitor,
  distinct, member…), ``contact_id`` (contact, lead, record, person), ``account`` (account,
  company, household: kept as the account, not a link), else ``id``. Owners and authors are
  resources, not identifiers.
* **event id**: a column unique and filled on every sampled row, id-like names first; else
  id + activity + time when unique together; else the file row (``@row``).
* **activity**: a text column with few distinct values, best-named first (activity, event,
  action, status, stage, type…); a field-history export (``Field`` + ``NewValue``) becomes
  ``{Field}:{NewValue}`` restricted to its status or stage field.
* **channel**, **resource** (owner, agent, assignee…), **rating** (a 0–10 number named
  rating, score, csat, nps…).

Example:
    >>> from journey_mining.init.profile import Profile
    >>> identifier_category(Profile("userId", ["user", "id"], 3, 3, 3, 0, 0, 0, 0, None, None, 5, 0))
    'user_id'
"""

from __future__ import annotations

import duckdb

from journey_mining.init import words
from journey_mining.init.activity import detect_activity, milestones_or_time
from journey_mining.init.models import ColumnGuess, IdentifierGuess, Kind, SourceGuess
from journey_mining.init.profile import Profile, quoted, top_text
from journey_mining.init.timestamps import time_score, timestamp_guess


def identifier_category(p: Profile) -> Kind | None:
    """The kind of identifier ``p`` holds, or None."""
    names = set(p.tokens)
    if names & words.RESOURCE_WORDS or not p.filled:
        return None
    if p.share(p.emails) >= 0.8:
        return "email"
    if p.share(p.phones) >= 0.8 and (
        names & words.PHONE_WORDS or (p.share(p.plus_prefixed) >= 0.8 and p.integers < p.filled)
    ):
        return "phone"
    if not (
        names & {"id", "uid", "uuid", "key", "number", "no", "ref"}
        or names & words.USER_WORDS
        or names & words.CONTACT_WORDS
        or names & words.ACCOUNT_WORDS
    ):
        return None
    if p.longest > 80 or (p.distinct < 2 and p.filled > 1):  # a constant (a portal id)
        return None
    if names & words.ACCOUNT_WORDS:
        return "account"
    if names & words.CONTACT_WORDS:
        return "contact_id"
    if names & words.USER_WORDS:
        return "user_id"
    return "id"


def detect_roles(
    con: duckdb.DuckDBPyConnection,
    guess: SourceGuess,
    table: str,
    profiles: list[Profile],
    day_first: bool | None,
    timezone: str,
) -> None:
    """Fill ``guess`` with the roles of the columns of an export no preset fits."""
    times = [t for p in profiles if (t := timestamp_guess(con, p, day_first, timezone))]
    by_name = {p.column: p for p in profiles}
    times.sort(key=lambda t: -time_score(by_name[t.column]))
    timed = {t.column for t in times}
    for p in profiles:
        if p.column in timed:
            continue
        category = identifier_category(p)
        if category == "account":
            if guess.account is None:
                guess.account = ColumnGuess(
                    column=p.column,
                    evidence=f"an account or company: {p.distinct:,} distinct values",
                    values=p.top[:5],
                )
        elif category is not None:
            guess.identifiers.append(
                IdentifierGuess(
                    column=p.column,
                    category=category,
                    kind=category,
                    distinct=p.distinct,
                    evidence=_identifier_evidence(p, category),
                )
            )
    detect_activity(con, guess, table, profiles, timed)
    milestones_or_time(guess, times, by_name)
    _event_id(con, guess, table, profiles, timed)
    unique = {p.column for p in profiles if p.unique}
    guess.identifiers = [  # an event's own id links nothing
        i for i in guess.identifiers if not (i.category == "id" and i.column in unique)
    ]
    _extras(guess, profiles, timed)
    if guess.activity is None and not guess.milestones:
        guess.activities = [guess.name]  # activity: {value: <source>}


def _identifier_evidence(p: Profile, category: str) -> str:
    if category == "email":
        return f"e-mail addresses: {p.share(p.emails):.0%} of {p.filled:,} values, {p.distinct:,} distinct"
    if category == "phone":
        return (
            f"phone numbers: {p.share(p.phones):.0%} of {p.filled:,} values (e.g. {p.top[0][0]!r})"
        )
    return f"an identifier ({category}): {p.distinct:,} distinct values in {p.filled:,} rows"


def _event_id(
    con: duckdb.DuckDBPyConnection,
    guess: SourceGuess,
    table: str,
    profiles: list[Profile],
    timed: set[str],
) -> None:
    unique = [
        p
        for p in profiles
        if p.unique
        and p.column not in timed
        and p.share(p.emails) < 0.5
        and p.share(p.phones) < 0.5
    ]
    unique.sort(
        key=lambda p: (
            not p.has("id", "uuid", "uid", "key"),
            not p.has("event", "message", "insert", "uuid"),
            len(p.tokens),
        )
    )
    if unique:
        best = unique[0]
        guess.event_id = [best.column]
        guess.event_id_evidence = f"unique and filled on all {best.rows:,} sampled rows"
        if best.integers == best.filled and not guess.milestones:
            guess.sequence = best.column
        return
    ids = [i.column for i in guess.identifiers if i.category != "email"][:1]
    extra = [guess.activity.column] if guess.activity and not guess.activity_template else []
    time = [guess.timestamp.column] if guess.timestamp else []
    key = ids + extra + time
    if len(key) >= 2:
        columns = ", ".join(quoted(c) for c in key)
        (rows, distinct) = con.execute(
            f'SELECT count(*), count(DISTINCT ({columns})) FROM "{table}"'
        ).fetchall()[0]
        if rows and rows == distinct:
            guess.event_id = key
            guess.event_id_evidence = (
                f"({', '.join(key)}) is unique in the {rows:,} sampled "
                "rows: a row exported twice is kept once"
            )
            return
    guess.event_id = ["@row"]
    guess.event_id_evidence = "no column is unique: each row is an event (file + row)"


def _extras(guess: SourceGuess, profiles: list[Profile], timed: set[str]) -> None:
    used = {i.column for i in guess.identifiers} | timed | set(guess.event_id)
    if guess.activity:
        used.add(guess.activity.column)
    for p in profiles:
        if p.column in used or not p.filled:
            continue
        names = set(p.tokens)
        if (
            guess.resource is None
            and names & words.RESOURCE_WORDS
            and p.distinct >= 2
            and not names & {"created", "updated", "modified"}
        ):
            guess.resource = ColumnGuess(
                column=p.column,
                values=p.top[:5],
                evidence=(f"owner/resource ({p.distinct:,} distinct): {top_text(p.top, 3)}"),
            )
        elif (
            guess.channel is None
            and names & words.CHANNEL_WORDS
            and 2 <= p.distinct <= 30
            and p.integers < p.filled
        ):
            guess.channel = ColumnGuess(
                column=p.column, values=p.top, evidence=(f"channel: {top_text(p.top, 4)}")
            )
        elif (
            guess.rating is None
            and names & words.RATING_WORDS
            and p.numbers == p.filled
            and p.low is not None
            and p.high is not None
            and p.low >= 0
            and p.high <= 10
        ):
            guess.rating = ColumnGuess(
                column=p.column,
                values=p.top[:5],
                evidence=(f"a score from {p.low:g} to {p.high:g} in {p.filled:,} rows"),
            )
