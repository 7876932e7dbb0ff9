"""Name identifier kinds across sources, and choose the kinds that link customers.

Two identifier columns of different sources are the same kind when their sampled values
overlap (e-mails always are one kind, ``email``; phone numbers one kind, ``phone``, compared
by their last nine digits): ``crm/calls.csv``'s ``contact_id`` and HubSpot's ``Record ID``
holding the same ids become one kind, named as the shipped preset names it
(``crm_contact_id``). A kind no preset names is called after what it is (``user_id``,
``contact_id``) or its column (``ticket_id``), prefixed with its source when two kinds
would share a name.

``identity.link_on`` gets every kind that two or more sources share, then, per source whose
event rows would mostly carry none of those, the source's own kind that covers them (the
product events keyed by a user id that an identify call links to an e-mail).

Example:
    >>> kind_name("Ticket ID", "id")
    'ticket_id'
"""

from __future__ import annotations

import re

import duckdb

from journey_mining.init.models import IdentifierGuess, SourceGuess
from journey_mining.init.profile import quoted

MIN_OVERLAP = 0.05
MIN_COVERAGE = 0.95
_PREFERENCE = {"email": 0, "user_id": 1, "contact_id": 2, "phone": 3, "id": 4}


def kind_name(column: str, category: str) -> str:
    """A kind name for an identifier column no preset names."""
    if category in ("email", "phone", "user_id", "contact_id"):
        return category
    last = column.split(".")[-1].split("[")[0]
    snake = re.sub(r"[^a-z0-9]+", "_", re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", last).lower())
    snake = snake.strip("_") or "id"
    return snake if snake[0].isalpha() else "id_" + snake


def _normalised(category: str, column: str) -> str:
    value = f"nullif(trim(CAST({quoted(column)} AS VARCHAR)), '')"
    if category == "email":
        return f"lower({value})"
    if category == "phone":
        return f"right(regexp_replace({value}, '[^0-9]', '', 'g'), 9)"
    return value


class _Groups:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        self.parent[max(self.find(a), self.find(b))] = min(self.find(a), self.find(b))


def sample_table(source: SourceGuess) -> str:
    """The inspection table holding a source's sampled rows."""
    return f"sample_{source.name}"


def name_kinds(con: duckdb.DuckDBPyConnection, sources: list[SourceGuess]) -> list[str]:
    """Set each identifier's ``kind`` across sources; return notes on what was joined."""
    nodes = [(s, i) for s in sources for i in s.identifiers]
    con.execute("CREATE OR REPLACE TEMP TABLE _init_ids (node INTEGER, v VARCHAR)")
    for n, (source, ident) in enumerate(nodes):
        value = _normalised(ident.category, ident.column)
        con.execute(
            f'INSERT INTO _init_ids SELECT DISTINCT {n}, {value} FROM "{sample_table(source)}" '
            f"WHERE {value} IS NOT NULL"
        )
    sizes = dict(con.execute("SELECT node, count(*) FROM _init_ids GROUP BY node").fetchall())
    pairs = con.execute(
        "SELECT a.node, b.node, count(*) FROM _init_ids a JOIN _init_ids b "
        "ON a.v = b.v AND a.node < b.node GROUP BY ALL"
    ).fetchall()
    groups = _Groups(len(nodes))
    for n, (_, ident) in enumerate(nodes):  # e-mails are one kind, phones another
        first = next(m for m, (_, o) in enumerate(nodes) if o.category == ident.category)
        if ident.category in ("email", "phone"):
            groups.join(first, n)
    notes = []
    for a, b, shared in pairs:
        (sa, ia), (sb, ib) = nodes[a], nodes[b]
        if sa is sb or {ia.category, ib.category} & {"email", "phone"}:
            continue
        ratio = shared / max(1, min(sizes.get(a, 0), sizes.get(b, 0)))
        same = ia.category == ib.category or "id" in (ia.category, ib.category)
        if ratio >= (MIN_OVERLAP if same else 0.5):
            groups.join(a, b)
            notes.append(
                f"{sa.name}.{ia.column} and {sb.name}.{ib.column} share {shared:,} value(s) "
                f"({ratio:.0%} of the smaller): one kind"
            )
    _assign_names(nodes, groups)
    return notes


def _assign_names(nodes: list[tuple[SourceGuess, IdentifierGuess]], groups: _Groups) -> None:
    members: dict[int, list[int]] = {}
    for n in range(len(nodes)):
        members.setdefault(groups.find(n), []).append(n)
    taken: dict[str, int] = {}
    for root, group in sorted(members.items()):
        idents = [nodes[n][1] for n in group]
        preset_kinds = [i.kind for (s, i) in (nodes[n] for n in group) if s.preset]
        first = idents[0]
        name = preset_kinds[0] if preset_kinds else kind_name(first.column, first.category)
        if name in taken and taken[name] != root:
            name = f"{nodes[group[0]][0].name}_{name}"
        taken[name] = root
        for n in group:
            source, ident = nodes[n]
            if not source.preset:
                ident.kind = name


def choose_link_on(
    con: duckdb.DuckDBPyConnection,
    sources: list[SourceGuess],
    attributes: dict[str, str] | None = None,
) -> tuple[list[str], dict[str, str]]:
    """The kinds that link customers, and for each the evidence (where it was seen, why).

    Kinds in ``attributes`` (see ``attribute_kinds``) never link.
    """
    kept = attributes or {}
    seen: dict[str, list[str]] = {}
    for s in sources:
        for i in s.identifiers:
            if i.category != "account" and i.kind not in kept:
                seen.setdefault(i.kind, []).append(f"{s.name} ({i.column})")
    link_on = [k for k, where in seen.items() if len(where) >= 2]
    evidence = {k: "in " + ", ".join(seen[k]) for k in link_on}
    for s in sources:
        own = [i for i in s.identifiers if i.category != "account" and i.kind not in kept]
        while own:
            covered = _coverage(
                con, s, sample_table(s), [i.column for i in own if i.kind in link_on]
            )
            if covered >= MIN_COVERAGE:
                break
            missing = [i for i in own if i.kind not in link_on]
            if not missing:
                break
            missing.sort(key=lambda i: (_PREFERENCE.get(i.category, 9), i.column))
            best = max(missing, key=lambda i: _coverage(con, s, sample_table(s), [i.column]))
            link_on.append(best.kind)
            where = ", ".join(seen[best.kind])
            evidence[best.kind] = (
                f"in {where}; added so that {s.name}'s events have a link: only {covered:.0%} of "
                f"them carry one of the shared kinds"
            )
    return link_on, evidence


def _coverage(
    con: duckdb.DuckDBPyConnection, source: SourceGuess, table: str, columns: list[str]
) -> float:
    """The share of the source's sampled event rows with a value in one of ``columns``."""
    if not columns:
        return 0.0
    filled = " OR ".join(f"nullif(trim({quoted(c)}), '') IS NOT NULL" for c in columns)
    where, parameters = "", []
    if source.events_where is not None:
        where, parameters = f"WHERE {quoted(source.events_where[0])} = ?", [source.events_where[1]]
    rows, covered = con.execute(
        f'SELECT count(*), count(*) FILTER (WHERE {filled}) FROM "{table}" {where}', parameters
    ).fetchall()[0]
    return covered / rows if rows else 1.0


MIN_SPANNING = 0.05


def attribute_kinds(con: duckdb.DuckDBPyConnection, sources: list[SourceGuess]) -> dict[str, str]:
    """Kinds whose values span several e-mails on the same export (a household, a company).

    Such a kind would merge different people into one journey if it linked: it is proposed
    as ``identity.attributes`` (kept on the customer) instead. A kind counts when at least
    two of its values, and ``MIN_SPANNING`` of them, each appear with two or more e-mails in
    one source's sampled rows. Returns kind → what was seen.
    """
    found: dict[str, str] = {}
    for s in sources:
        emails = [i for i in s.identifiers if i.category == "email"]
        if not emails:
            continue
        email = _normalised("email", emails[0].column)
        for ident in s.identifiers:
            if ident.category in ("email", "phone") or ident.kind in found:
                continue
            value = _normalised(ident.category, ident.column)
            spanning, values, example = con.execute(
                "SELECT count(*) FILTER (WHERE n > 1), count(*), "
                "arg_min(v || ': ' || array_to_string(list_sort(e)[:3], ', '), (-n, v)) "
                f"FROM (SELECT {value} AS v, count(DISTINCT {email}) AS n, list(DISTINCT {email}) AS e "
                f'FROM "{sample_table(s)}" WHERE {value} IS NOT NULL AND {email} IS NOT NULL '
                "GROUP BY ALL)"
            ).fetchall()[0]
            if spanning >= 2 and spanning >= MIN_SPANNING * values:
                found[ident.kind] = (
                    f"{s.name}.{ident.column}: {spanning:,} of {values:,} values name two or more "
                    f"e-mails (e.g. {example}): kept on the customer, not a link"
                )
    return found
