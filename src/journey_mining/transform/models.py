"""The transform's models: one per table or view, SQL files and Python stages alike.

A SQL model is a file of ``sql/<layer>/`` named after the table or view it creates
(``marts/dfg_edges.sql`` creates ``mining.dfg_edges``; ``intermediate/int_rows.sql`` the temp
table ``int_rows``). Its header states its grain (``-- grain:``) and materialisation
(``-- materialisation: table | temp table | view``); what it reads is derived from the file
(every ``schema.table`` it names). A Python model (identity propagation, alignments, the
findings' statistics, the declarations) declares what it reads and writes. The runner
(``journey_mining.transform.runner``) orders them all by those dependencies.

Example:
    >>> model = sql_model("marts/dfg_edges.sql")
    >>> model.name, model.materialisation, "mining.journey_events" in model.reads
    ('mining.dfg_edges', 'table', True)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb

from journey_mining.errors import JourneyMiningError
from journey_mining.resources import resource_dir, sql_file

#: folders of ``sql/`` holding models, in layer order
LAYERS = ("staging", "intermediate", "marts", "analytics")
MATERIALISATIONS = ("table", "temp table", "view")
_CREATES = re.compile(
    r"^CREATE\s+(?:OR\s+REPLACE\s+)?(TEMP\s+TABLE|TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w.{}\s]+?)[\s(]",
    re.IGNORECASE | re.MULTILINE,
)
_NAMES = re.compile(r"\b(raw|meta|staging|mining|temp)\.([a-z_][a-z0-9_]*)\b")
_TEMPLATE = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_HEADER = re.compile(r"^--\s*(grain|materialisation|progress):\s*(.*)$", re.MULTILINE)

Runner = Callable[[duckdb.DuckDBPyConnection, Any], None]


@dataclass(frozen=True)
class Model:
    """One step of the transform: what it writes, what it reads, and how it runs.

    ``name`` is the table it creates (``mining.journeys``, ``temp.int_rows``); a Python model
    writing several tables is named after its stage. ``updates`` are tables it changes in
    place: every other model reading them runs after it. ``label`` is the progress line shown
    when the model starts (None: the previous line stays). ``files`` are the SQL files a
    Python model runs itself.
    """

    name: str
    layer: str
    materialisation: str
    grain: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    run: Runner
    kind: str = "sql"
    updates: tuple[str, ...] = ()
    label: str | None = None
    files: tuple[str, ...] = ()
    parameters: Callable[[Any], Mapping[str, object]] | None = field(default=None, compare=False)


def header(text: str) -> dict[str, str]:
    """The ``-- key: value`` lines of a model's header (grain, materialisation, progress).

    The grain may go on over the comment lines before the next key.

    Example:
        >>> header("-- grain: one row\n-- per customer\n-- materialisation: table\nSELECT 1")
        {'grain': 'one row per customer', 'materialisation': 'table'}
    """
    found = {key: value.strip() for key, value in _HEADER.findall(text)}
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("-- grain:")), None)
    if start is not None:
        for line in lines[start + 1 :]:
            if not line.startswith("--") or _HEADER.match(line):
                break
            found["grain"] += " " + line[2:].strip()
    return found


def created(text: str) -> str:
    """The table or view a model file creates, schema-qualified (``temp.`` for temp tables)."""
    match = _CREATES.search(_TEMPLATE.sub(r"\1", text))
    if match is None:
        raise JourneyMiningError("the model creates no table or view (no CREATE statement)")
    kind, name = match.group(1).upper(), match.group(2).strip()
    if "." in name:
        return name
    return f"temp.{name}" if kind.startswith("TEMP") else f"main.{name}"


def referenced(text: str) -> tuple[str, ...]:
    """Every ``schema.table`` a SQL text names outside comments, sorted."""
    code = "\n".join(line.split("--", 1)[0] for line in text.splitlines())
    return tuple(sorted({f"{schema}.{table}" for schema, table in _NAMES.findall(code)}))


def sql_model(
    relative: str,
    parameters: Callable[[Any], Mapping[str, object]] | None = None,
) -> Model:
    """The model of one SQL file (see the module doc), checked against its header."""
    text = sql_file(relative)
    meta = header(text)
    name = created(text)
    stem = relative.rsplit("/", 1)[-1].removesuffix(".sql")
    materialisation = next(
        (
            m
            for m in sorted(MATERIALISATIONS, key=len, reverse=True)
            if meta.get("materialisation", "").startswith(m)
        ),
        "",
    )
    problems = [
        f"creates {name}, not a table named after the file" if name.split(".")[1] != stem else "",
        "has no '-- grain:' header line" if not meta.get("grain") else "",
        f"materialisation {meta.get('materialisation')!r} is not one of {MATERIALISATIONS}"
        if not materialisation
        else "",
    ]
    if any(problems):
        raise JourneyMiningError(
            f"SQL model {relative}: {'; '.join(p for p in problems if p)}. Fix: one table per "
            "file, named after it, with grain and materialisation in its header."
        )

    def run(con: duckdb.DuckDBPyConnection, context: Any) -> None:
        if parameters is None:
            con.execute(text)
        else:
            con.execute(text, dict(parameters(context)))

    return Model(
        name=name,
        layer=relative.split("/", 1)[0],
        materialisation=materialisation,
        grain=meta["grain"],
        reads=tuple(r for r in referenced(text) if r != name),
        writes=(name,),
        run=run,
        label=meta.get("progress"),
        files=(relative,),
        parameters=parameters,
    )


def model_files() -> list[str]:
    """Every SQL file of the model layers, relative to ``sql/`` (``marts/journeys.sql``)."""
    root = resource_dir("sql")
    return sorted(
        str(path.relative_to(root)) for layer in LAYERS for path in (root / layer).glob("*.sql")
    )
