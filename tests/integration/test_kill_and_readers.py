"""kill -9 at each stage and at random moments leaves a consistent warehouse, and a reader
holding the warehouse open never blocks the nightly run (nor sees a half-written one).

Runs are real processes (``journey-mining run`` or ``jm.run`` with a progress hook that
kills its own process at a stage). After every kill the warehouse is opened read-only and
its SQL tests run; the run after the last kill marks every killed run aborted and leaves
the tables identical (ordered hashes, ``bench/table_hashes.py``) to a clean run's.
"""

from __future__ import annotations

import importlib.util
import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from journey_mining.cli import app
from journey_mining.runs import lock_path
from journey_mining.warehouse import run_sql_tests
from tests.unit.test_run_conventions import CRM, PRODUCT, SUPPORT, project

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
FORK = multiprocessing.get_context("fork")  # children start at once: no second import

STAGES = ("loading support", "ordering journeys", "testing findings", "discovering")


def _run_killed_at(pipeline: Path, stage: str | None) -> None:
    """In a forked child: run the pipeline, killing this process (-9) when ``stage`` starts."""
    import os

    import journey_mining as jm

    def hook(event: Any) -> None:
        if stage is not None and event.label.startswith(stage):
            os.kill(os.getpid(), signal.SIGKILL)

    jm.run(str(pipeline), progress=hook)


def _holding(warehouse: Path, pid: int) -> bool:
    """Whether process ``pid`` has taken the run lock of ``warehouse`` (its run has begun)."""
    try:
        text = lock_path(warehouse).read_text(encoding="utf-8").strip()
        return bool(text) and json.loads(text)["pid"] == pid
    except (OSError, ValueError):
        return False


def _kill_at_random(command: list[str] | None, pipeline: Path, rng: random.Random) -> bool:
    """Start a run, wait until it holds the lock, kill it -9 a random moment later.

    ``command``: a real ``journey-mining run`` process, or None for a forked ``jm.run``.
    Returns whether it was killed (it may finish first).
    """
    warehouse = pipeline.parent / "w.duckdb"
    if command is not None:
        popen = subprocess.Popen(command)
        pid, wait = popen.pid, lambda: popen.wait(timeout=120)
    else:
        forked = FORK.Process(target=_run_killed_at, args=(pipeline, None))
        forked.start()
        assert forked.pid is not None
        pid = forked.pid
        wait = lambda: (forked.join(120), forked.exitcode)[1]  # noqa: E731
    deadline = time.monotonic() + 60
    while not _holding(warehouse, pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(rng.uniform(0.0, 1.5))
    os.kill(pid, signal.SIGKILL)
    code = wait()
    assert code in (0, -signal.SIGKILL)
    return bool(code == -signal.SIGKILL)


def _hashes_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("table_hashes", ROOT / "bench/table_hashes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tables(warehouse: Path) -> dict[str, Any]:
    """Ordered hashes of the contract tables, but the run log (which differs by design)."""
    hashes = _hashes_module().table_hashes(warehouse)
    return {t: h for t, h in hashes.items() if t not in ("runs", "run_sources")}


def _consistent(warehouse: Path) -> None:
    """What a killed run left is a complete warehouse: SQL tests pass, no run 'running'."""
    if not warehouse.exists():
        return  # killed before its first run published anything
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        run_sql_tests(con)
        assert con.execute(
            "SELECT count(*) FROM mining.runs WHERE status = 'running'"
        ).fetchall() == [(0,)]
    finally:
        con.close()


@pytest.mark.slow
def test_kill_9_at_every_stage_and_at_random_moments(tmp_path: Path) -> None:
    clean = project(tmp_path / "clean", [CRM, SUPPORT, PRODUCT])
    assert runner.invoke(app, ["run", str(clean), "--quiet"]).exit_code == 0

    pipeline = project(tmp_path / "killed", [CRM, SUPPORT, PRODUCT])
    warehouse = tmp_path / "killed" / "w.duckdb"
    kills = 0
    for stage in STAGES:
        child = FORK.Process(target=_run_killed_at, args=(pipeline, stage))
        child.start()
        child.join(120)
        assert child.exitcode == -signal.SIGKILL, stage
        kills += 1
        _consistent(warehouse)
    rng = random.Random(13)
    cli = [sys.executable, "-m", "journey_mining", "run", str(pipeline), "--quiet"]
    for command in (None, None, None, cli):
        kills += _kill_at_random(command, pipeline, rng)
        _consistent(warehouse)

    after = runner.invoke(app, ["run", str(pipeline), "--quiet"])
    assert after.exit_code == 0, after.output
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        statuses = dict(
            con.execute("SELECT status, count(*) FROM mining.runs GROUP BY ALL").fetchall()
        )
        unseen = con.execute(
            "SELECT count(*) FROM mining.runs WHERE status = 'aborted' AND last_seen_at IS NULL"
        ).fetchall()
    finally:
        con.close()
    assert statuses.get("aborted") == kills and unseen == [(0,)]
    assert not (warehouse.parent / "w.duckdb.building").exists()
    assert _tables(warehouse) == _tables(tmp_path / "clean" / "w.duckdb")


READER = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute("SELECT count(*) FROM mining.runs").fetchone()[0], flush=True)
    sys.stdin.readline()  # hold the warehouse open until told
    print(con.execute("SELECT count(*) FROM mining.runs").fetchone()[0], flush=True)
    """
)


def test_a_reader_holding_the_warehouse_never_blocks_the_run(tmp_path: Path) -> None:
    pipeline = project(tmp_path, [CRM, SUPPORT])
    warehouse = tmp_path / "w.duckdb"
    assert runner.invoke(app, ["run", str(pipeline), "--quiet"]).exit_code == 0
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdin is not None
        assert reader.stdout.readline().strip() == "1"
        result = runner.invoke(app, ["run", str(pipeline), "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["journeys"] > 0
        summary = runner.invoke(app, ["summary", "-w", str(warehouse), "--json"])
        assert summary.exit_code == 0, summary.output
        reader.stdin.write("\n")
        reader.stdin.flush()
        # the reader kept its consistent snapshot: the previous complete run, not a mix
        assert reader.stdout.readline().strip() == "1"
    finally:
        reader.kill()
        reader.wait()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM mining.runs").fetchall() == [(2,)]
    finally:
        con.close()
