"""Who is running on a warehouse: one run at a time, refusals logged, dead runs marked aborted.

A run holds an exclusive lock on ``<warehouse>.lock`` (``flock``, released by the kernel when
the process ends, however it ends) and writes into it who it is: run id, pipeline, start,
process and host, and when it was last seen (refreshed as it reports progress). A second run
finds the lock taken and is refused with one line naming the running run; the refusal is
appended to ``<warehouse>.log`` (JSON lines) and copied into ``mining.runs`` (status
``refused``) by the next run that gets the warehouse. A run that gets the lock and finds the
lock file still naming a run knows that run died holding it (killed, power cut: a run empties
the file when it ends): it logs it ``aborted`` at once, with when it was last seen, and copies
every logged abort into ``mining.runs`` (runs build a copy of the warehouse, ``snapshot``, so
a killed run left no row of its own; rows left ``running`` by older versions are marked too).

Example:
    >>> # with hold_warehouse(Path("journeys.duckdb"), run_id, "demo") as lock:  # doctest: +SKIP
    >>> #     ... lock.heartbeat() ...
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import duckdb
from pydantic import BaseModel

from journey_mining.errors import WarehouseBusy

log = logging.getLogger("journey_mining.runs")
HEARTBEAT_S = 5.0


class RunHolder(BaseModel):
    """The run that holds a warehouse, as written in its lock file."""

    run_id: str
    pipeline: str
    started_at: datetime
    last_seen_at: datetime
    pid: int
    host: str

    def describe(self) -> str:
        """``run <id> of pipeline <name>, started <when> UTC (pid N on host)``."""
        started = self.started_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        return (
            f"run {self.run_id} of pipeline {self.pipeline!r}, started {started} UTC "
            f"(pid {self.pid} on {self.host})"
        )


def lock_path(warehouse: Path) -> Path:
    """The lock file beside a warehouse: ``journeys.duckdb.lock``."""
    return warehouse.with_name(warehouse.name + ".lock")


def log_path(warehouse: Path) -> Path:
    """The run log beside a warehouse (refusals, JSON lines): ``journeys.duckdb.log``."""
    return warehouse.with_name(warehouse.name + ".log")


def _read_holder(handle: IO[str]) -> RunHolder | None:
    handle.seek(0)
    text = handle.read().strip()
    if not text:
        return None
    try:
        return RunHolder.model_validate_json(text)
    except ValueError:
        return None


def current_holder(warehouse: Path) -> RunHolder | None:
    """The run holding ``warehouse`` as its lock file says, or None.

    Read without locking (a reader must never make a starting run think the warehouse is
    busy); a holder whose process is gone (same host) is not returned.
    """
    path = lock_path(warehouse)
    if not path.is_file():
        return None
    with path.open("r", encoding="utf-8") as handle:
        holder = _read_holder(handle)
    if holder is None:
        return None
    if holder.host == socket.gethostname() and not _alive(holder.pid):
        return None
    return holder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class WarehouseLock:
    """The held lock of one run; ``previous`` is what a dead run left in the lock file."""

    def __init__(
        self, handle: IO[str], holder: RunHolder, previous: RunHolder | None, warehouse: Path
    ) -> None:
        self._handle = handle
        self.warehouse = warehouse
        self.holder = holder
        self.previous = previous
        self._written = 0.0
        self._write()

    def _write(self) -> None:
        self._handle.seek(0)
        self._handle.truncate()
        self._handle.write(self.holder.model_dump_json())
        self._handle.flush()
        self._written = time.monotonic()

    def heartbeat(self) -> None:
        """Refresh ``last_seen_at`` (at most every few seconds)."""
        if time.monotonic() - self._written >= HEARTBEAT_S:
            self.holder = self.holder.model_copy(update={"last_seen_at": datetime.now(UTC)})
            self._write()

    def release(self) -> None:
        """Empty the lock file and let the next run in."""
        self._handle.seek(0)
        self._handle.truncate()
        self._handle.flush()
        fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
        self._handle.close()


def _log(warehouse: Path, entry: dict[str, Any]) -> None:
    """Append one JSON line to the run log beside the warehouse (flushed to disk)."""
    with log_path(warehouse).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _refuse(warehouse: Path, run_id: str, pipeline: str, holder: RunHolder) -> WarehouseBusy:
    message = (
        f"warehouse {str(warehouse)!r} is busy: {holder.describe()} is still running. "
        "Fix: wait for it to finish (or stop it), then run again."
    )
    entry = {
        "event": "refused",
        "run_id": run_id,
        "pipeline": pipeline,
        "at": datetime.now(UTC).isoformat(),
        "held_by": holder.run_id,
        "message": message,
    }
    _log(warehouse, entry)
    log.warning("run %s refused: %s", run_id, message)
    return WarehouseBusy(message)


@contextmanager
def hold_warehouse(warehouse: Path, run_id: str, pipeline: str) -> Iterator[WarehouseLock]:
    """Hold ``warehouse`` for one run, or raise ``WarehouseBusy`` naming the run holding it."""
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_holder(handle)
        handle.close()
        if holder is None:  # the holder has not written itself yet
            holder = RunHolder(
                run_id="(starting)",
                pipeline="unknown",
                started_at=datetime.now(UTC),
                last_seen_at=datetime.now(UTC),
                pid=0,
                host=socket.gethostname(),
            )
        raise _refuse(warehouse, run_id, pipeline, holder) from None
    now = datetime.now(UTC)
    previous = _read_holder(handle)
    if previous is not None:  # the lock file still names a run: it died holding the lock
        _log(warehouse, {"event": "aborted", **previous.model_dump(mode="json")})
    me = RunHolder(
        run_id=run_id,
        pipeline=pipeline,
        started_at=now,
        last_seen_at=now,
        pid=os.getpid(),
        host=socket.gethostname(),
    )
    lock = WarehouseLock(handle, me, previous, warehouse)
    try:
        yield lock
    finally:
        lock.release()


def reconcile_runs(con: duckdb.DuckDBPyConnection, lock: WarehouseLock) -> int:
    """Mark runs left ``running`` as ``aborted`` and copy logged refusals into ``mining.runs``.

    Called by a run holding the lock, after ``mining.runs`` exists. Returns the runs marked
    aborted.
    """
    previous = lock.previous
    stale = con.execute(
        "SELECT run_id, started_at FROM mining.runs WHERE status = 'running' AND run_id <> ?",
        [lock.holder.run_id],
    ).fetchall()
    for run_id, started_at in stale:
        seen = previous.last_seen_at if previous and previous.run_id == run_id else started_at
        con.execute(
            "UPDATE mining.runs SET status = 'aborted', last_seen_at = ?, error = ? "
            "WHERE run_id = ?",
            [
                seen,
                "aborted: the run stopped without finishing (killed or crashed); "
                f"last seen {seen.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC",
                run_id,
            ],
        )
    for entry in _logged(lock.warehouse, "aborted"):
        # a run killed while it built its copy (snapshot.py) never reached the warehouse:
        # the lock file entry the next run logged is all that is left of it
        if entry["run_id"] == lock.holder.run_id:
            continue
        seen = datetime.fromisoformat(entry["last_seen_at"])
        inserted = con.execute(
            "INSERT INTO mining.runs (run_id, pipeline, started_at, status, last_seen_at, error) "
            "SELECT ?, ?, ?, 'aborted', ?, ? WHERE NOT EXISTS "
            "(SELECT 1 FROM mining.runs WHERE run_id = ?)",
            [
                entry["run_id"],
                entry["pipeline"],
                entry["started_at"],
                seen,
                "aborted: the run stopped without finishing (killed or crashed); "
                f"last seen {seen.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC",
                entry["run_id"],
            ],
        ).fetchall()
        stale.extend([(entry["run_id"], seen)] * int(inserted[0][0]))
    for entry in _logged(lock.warehouse, "refused"):
        con.execute(
            "INSERT INTO mining.runs (run_id, pipeline, started_at, finished_at, status, error) "
            "SELECT ?, ?, ?, ?, 'refused', ? WHERE NOT EXISTS "
            "(SELECT 1 FROM mining.runs WHERE run_id = ?)",
            [
                entry["run_id"],
                entry["pipeline"],
                entry["at"],
                entry["at"],
                entry["message"],
                entry["run_id"],
            ],
        )
    return len(stale)


def _logged(warehouse: Path, event: str) -> list[dict[str, Any]]:
    path = log_path(warehouse)
    if not path.is_file():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # a line cut by a crash while it was written
        if isinstance(entry, dict) and entry.get("event") == event:
            entries.append(entry)
    return entries
