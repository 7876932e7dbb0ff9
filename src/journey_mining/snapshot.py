"""A run writes a copy of the warehouse and swaps it in: readers never block the nightly run.

DuckDB lets one process write a file, or many processes read it, never both. A run therefore
never opens the warehouse for writing: holding the run lock (``runs.hold_warehouse``) it
copies the warehouse to ``<warehouse>.building``, does all its work there (loads committed
per source, the transform in one transaction), checkpoints and closes it, and renames it over
the warehouse (``os.replace``, atomic on POSIX). A notebook or ``summary`` holding the
warehouse open keeps reading the previous complete state (on Linux an open file survives the
rename); whoever opens it afterwards reads the new one. Nobody ever sees a mix.

A run killed half-way leaves only ``<warehouse>.building``, which the next run removes: the
warehouse itself was never touched. A run that fails (a source it cannot read, a broken SQL
test) still publishes what it committed (earlier sources' loads, the failed run's record),
exactly as if it had written in place.

Example:
    >>> # with building_copy(Path("journeys.duckdb")) as target:  # doctest: +SKIP
    >>> #     con = connect(target); ...; con.close()
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb

from journey_mining.errors import WarehouseError
from journey_mining.runs import WarehouseLock, hold_warehouse
from journey_mining.warehouse import connect


def building_path(warehouse: Path) -> Path:
    """Where a run builds the next state of ``warehouse``: ``journeys.duckdb.building``."""
    return warehouse.with_name(warehouse.name + ".building")


def wal_path(database: Path) -> Path:
    """DuckDB's write-ahead log beside a database file (``<file>.wal``)."""
    return database.with_name(database.name + ".wal")


def spill_path(warehouse: Path) -> Path:
    """The folder DuckDB spills to during a run: ``<warehouse>.tmp``, as before the swap."""
    return warehouse.with_name(warehouse.name + ".tmp")


def _remove(database: Path) -> None:
    for file in (database, wal_path(database)):
        file.unlink(missing_ok=True)


def _copy(warehouse: Path, building: Path) -> None:
    """Copy the warehouse (and a WAL an older version left) while holding it read-only.

    The read-only connection keeps any writer from another program out while the bytes are
    copied (one that already holds it fails here, as ``connect`` explains).
    """
    guard = connect(warehouse, read_only=True)
    try:
        shutil.copyfile(warehouse, building)
        if wal_path(warehouse).is_file():
            shutil.copyfile(wal_path(warehouse), wal_path(building))
    except OSError as err:
        _remove(building)
        raise WarehouseError(
            f"cannot copy warehouse {str(warehouse)!r} to {str(building)!r} for the run: "
            f"{err.strerror}. Fix: free disk space beside the warehouse (a run needs room for "
            "a second copy) or make the folder writable."
        ) from None
    finally:
        guard.close()


def _checkpointed(building: Path) -> bool:
    """Whether the building file is complete on its own (no WAL left, or one folded in now)."""
    if not wal_path(building).is_file():
        return True
    try:
        con = duckdb.connect(str(building))
        con.execute("CHECKPOINT")
        con.close()
    except duckdb.Error:
        return False
    return not wal_path(building).is_file()


def publish(building: Path, warehouse: Path) -> None:
    """Swap the built file in: one atomic rename, then the folder's entry made durable."""
    if not building.is_file() or not _checkpointed(building):
        _remove(building)
        return
    with open(building, "rb") as handle:
        os.fsync(handle.fileno())
    wal_path(warehouse).unlink(missing_ok=True)  # an old version's log belongs to the old file
    os.replace(building, warehouse)
    with suppress(OSError):
        folder = os.open(warehouse.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


@contextmanager
def building_copy(warehouse: Path) -> Iterator[Path]:
    """Give the run a fresh copy of ``warehouse`` to write; swap it in when the run ends.

    Call it while holding the run lock. The copy is published whether the run succeeded or
    failed (a failed run's record and committed loads are kept, as in place); a process
    killed inside leaves ``<warehouse>.building`` behind, removed by the next run.
    """
    building = building_path(warehouse)
    _remove(building)  # what a killed run left
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    if warehouse.is_file():
        _copy(warehouse, building)
    try:
        yield building
    finally:
        publish(building, warehouse)


@contextmanager
def held_copy(warehouse: Path, run_id: str, pipeline: str) -> Iterator[tuple[WarehouseLock, Path]]:
    """A run's hold on ``warehouse`` (``runs.hold_warehouse``) and the copy it writes.

    Example:
        >>> # with held_copy(Path("journeys.duckdb"), run_id, "demo") as (lock, target):
        >>> #     con = connect(target); ...
    """
    with hold_warehouse(warehouse, run_id, pipeline) as lock, building_copy(warehouse) as target:
        yield lock, target
