"""Every stage of a run measured: wall and CPU time, rows written, peak memory.

``Stages`` collects one ``StageRecord`` per stage (a load, a transform model, the SQL tests,
the process discovery) and writes them to ``mining.run_stages`` keyed by the run id. The
peak resident memory of the process is sampled every 20 ms by a background thread while a
stage runs (Linux ``/proc``; elsewhere the process's peak so far); DuckDB's own memory is
read from ``duckdb_memory()`` when the stage ends.

Example:
    >>> import duckdb
    >>> con = duckdb.connect()
    >>> stages = Stages()
    >>> with stages.measure(con, "temp.t", "sql", ("temp.t",)):
    ...     _ = con.execute("CREATE TEMP TABLE t AS SELECT range AS i FROM range(3)")
    >>> (stages.records[0].stage, stages.records[0].rows_written)
    ('temp.t', 3)
"""

from __future__ import annotations

import resource
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
from pydantic import BaseModel, ConfigDict

_STATUS = Path("/proc/self/status")


def rss_mb() -> float:
    """This process's resident memory now (or its peak so far where /proc is missing), in MB."""
    try:
        with _STATUS.open(encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class StageRecord(BaseModel):
    """One measured stage of a run (a row of ``mining.run_stages``)."""

    model_config = ConfigDict(extra="forbid")

    seq: int
    stage: str
    kind: str
    status: str = "ok"
    wall_s: float
    cpu_s: float
    rows_written: int | None
    peak_rss_mb: float
    duckdb_mb: float | None


class _Sampler:
    """Samples RSS every 20 ms until stopped; ``peak`` is the highest seen."""

    def __init__(self) -> None:
        self.peak = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mb())

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return max(self.peak, rss_mb())


def _rows(con: duckdb.DuckDBPyConnection, writes: Sequence[str]) -> int | None:
    """Rows now in the tables a stage wrote (None when it wrote none, or only views)."""
    total: int | None = None
    for table in writes:
        schema, _, name = table.partition(".")
        found = con.execute(
            "SELECT 1 FROM duckdb_tables() WHERE table_name = ? AND "
            "(schema_name = ? OR (? = 'temp' AND temporary))",
            [name, schema, schema],
        ).fetchone()
        if found is not None:
            counted = con.execute(f"SELECT count(*) FROM {table}").fetchone()
            total = (total or 0) + int(counted[0] if counted else 0)
    return total


def _duckdb_mb(con: duckdb.DuckDBPyConnection) -> float | None:
    try:
        row = con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchone()
    except duckdb.Error:
        return None
    return round(float(row[0]) / 2**20, 1) if row and row[0] is not None else None


class Stages:
    """The measured stages of one run, in the order they ran."""

    def __init__(self) -> None:
        self.records: list[StageRecord] = []

    @contextmanager
    def measure(
        self, con: duckdb.DuckDBPyConnection | None, stage: str, kind: str, writes: Sequence[str]
    ) -> Iterator[None]:
        """Measure the ``with`` block as ``stage``; count the rows of ``writes`` afterwards."""
        sampler = _Sampler()
        wall, cpu = time.perf_counter(), time.process_time()
        status = "ok"
        try:
            yield
        except BaseException:
            status = "failed"
            raise
        finally:
            peak = sampler.stop()
            ok = status == "ok" and con is not None
            self.records.append(
                StageRecord(
                    seq=len(self.records) + 1,
                    stage=stage,
                    kind=kind,
                    status=status,
                    wall_s=round(time.perf_counter() - wall, 4),
                    cpu_s=round(time.process_time() - cpu, 4),
                    rows_written=_rows(con, writes) if ok and con is not None else None,
                    peak_rss_mb=round(peak, 1),
                    duckdb_mb=_duckdb_mb(con) if ok and con is not None else None,
                )
            )

    def write(self, con: duckdb.DuckDBPyConnection, run_id: str) -> None:
        """Append the records to ``mining.run_stages`` under ``run_id`` (one statement)."""
        if not self.records:
            return
        fields = list(StageRecord.model_fields)
        con.executemany(
            f"INSERT INTO mining.run_stages (run_id, {', '.join(fields)}) "
            f"VALUES (?{', ?' * len(fields)})",
            [[run_id, *r.model_dump().values()] for r in self.records],
        )
