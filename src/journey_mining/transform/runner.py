"""Run the transform's models in dependency order, in one transaction, every stage measured.

``plan`` orders the models by what they read and write (a topological sort; ties go to the
earlier layer, then the name). ``run_models`` opens the transaction, runs each model, drops
each temp table a model made once every model and SQL test reading it is done, runs the SQL
tests (``sql/tests/``), and commits; any failure rolls everything back and is raised as the
project's error naming the model (out of memory as ``OutOfMemory``). ``Stages`` measures
each model (wall and CPU time, rows written, peak RSS, DuckDB's memory) for
``mining.run_stages``.

Example:
    >>> # stages = Stages(); run_models(con, models, context, stages, progress)  # doctest: +SKIP
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from math import inf

import duckdb

from journey_mining.errors import JourneyMiningError, WarehouseError
from journey_mining.progress import ProgressEvent, ProgressSink, ignore
from journey_mining.resources import resource_dir
from journey_mining.transform.models import LAYERS, Model, referenced
from journey_mining.transform.timing import Stages
from journey_mining.warehouse import duckdb_failure, run_sql, run_sql_tests

_FIX = (
    "this is a bug in journey-mining or an unexpected input — please report it with the pipeline."
)


def _edges(models: Sequence[Model]) -> dict[str, set[str]]:
    """For each model, the models it waits for: the writers (and updaters) of what it reads."""
    writer = {table: m.name for m in models for table in m.writes}
    updaters: dict[str, list[str]] = {}
    for m in models:
        for table in m.updates:
            updaters.setdefault(table, []).append(m.name)
    needs: dict[str, set[str]] = {m.name: set() for m in models}
    for m in models:
        for table in m.reads:
            candidates = [writer.get(table, ""), *updaters.get(table, [])]
            needs[m.name].update(c for c in candidates if c and c != m.name)
    return needs


def plan(models: Sequence[Model]) -> list[Model]:
    """``models`` in an order where each runs after every model it reads from.

    Example:
        >>> from journey_mining.transform.models import sql_model
        >>> names = [m.name for m in plan([sql_model("marts/endpoints.sql"),
        ...     sql_model("intermediate/int_journey_paths.sql")])]
        >>> names
        ['temp.int_journey_paths', 'mining.endpoints']
    """
    by_name = {m.name: m for m in models}
    if len(by_name) != len(models):
        raise JourneyMiningError("two models have the same name. Fix: name each after its table.")
    needs = _edges(models)
    users: dict[str, list[str]] = {name: [] for name in by_name}
    for name, needed in needs.items():
        for other in needed:
            users[other].append(name)

    made_at: dict[str, int] = {}  # temp table -> position of the model that made it

    def key(name: str) -> tuple[float, int, str]:
        # first the models reading the oldest temp table still alive (so it can be dropped
        # soon), then the earlier layer, then the name
        oldest = min((made_at[t] for t in by_name[name].reads if t in made_at), default=inf)
        layer = by_name[name].layer
        return (oldest, LAYERS.index(layer) if layer in LAYERS else -1, name)

    waiting = {name: len(needed) for name, needed in needs.items()}
    ready = [key(name) for name, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    ordered: list[Model] = []
    while ready:
        name = heapq.heappop(ready)[2]
        ordered.append(by_name[name])
        made_at.update((t, len(ordered)) for t in by_name[name].writes if t.startswith("temp."))
        for user in users[name]:
            waiting[user] -= 1
            if waiting[user] == 0:
                heapq.heappush(ready, key(user))
    if len(ordered) != len(models):
        stuck = sorted(name for name, n in waiting.items() if n > 0)
        raise JourneyMiningError(
            f"the models {stuck} depend on each other in a cycle. Fix: break the cycle."
        )
    return ordered


def test_reads() -> tuple[str, ...]:
    """The tables the SQL tests read (they keep temp tables alive until the tests ran)."""
    files = sorted((resource_dir("sql") / "tests").glob("*.sql"))
    return tuple(sorted({t for f in files for t in referenced(f.read_text(encoding="utf-8"))}))


def _droppable(ordered: Sequence[Model], tested: Iterable[str]) -> dict[int, list[str]]:
    """After which model (index) each temp table is no longer read: drop it there."""
    kept = set(tested)
    made = [t for m in ordered for t in m.writes if t.startswith("temp.") and t not in kept]
    last: dict[str, int] = {}
    for index, m in enumerate(ordered):
        for table in (*m.writes, *m.reads):
            if table in made:
                last[table] = index
    drops: dict[int, list[str]] = {}
    for table, index in sorted(last.items()):
        drops.setdefault(index, []).append(table)
    return drops


def run_models(
    con: duckdb.DuckDBPyConnection,
    models: Sequence[Model],
    context: object,
    stages: Stages,
    progress: ProgressSink = ignore,
) -> list[str]:
    """Run ``models`` and the SQL tests in one transaction; return the tests that passed.

    Each model is measured into ``stages``; a failing model or test rolls the whole
    transaction back and raises the project's error naming it.
    """
    ordered = plan(models)
    drops = _droppable(ordered, test_reads())
    con.execute("BEGIN TRANSACTION")
    current = "setup"
    try:
        run_sql(con, "meta/macros.sql")
        for index, model in enumerate(ordered):
            current = model.name
            if model.label:
                progress(ProgressEvent("stage", model.label))
            with stages.measure(con, model.name, model.kind, model.writes):
                model.run(con, context)
            for table in drops.get(index, []):  # its inputs no later model or test reads
                con.execute(f"DROP TABLE IF EXISTS {table}")
        current = "sql tests"
        progress(ProgressEvent("stage", "checking the tables"))
        with stages.measure(con, "sql tests", "test", ()):
            passed = run_sql_tests(con)
        con.execute("COMMIT")
    except duckdb.Error as err:
        con.execute("ROLLBACK")
        raise duckdb_failure(con, err, f"model {current}", _FIX, kind=WarehouseError) from None
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return passed
