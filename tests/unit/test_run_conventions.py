"""What a scheduler relies on: exit codes, the JSON run record, one run at a time, dead runs.

Each test drives the CLI (typer's runner, or a real process where a second process is the
point) on a tiny pipeline and reads the warehouse back.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from journey_mining.cli import ExitCode, app
from journey_mining.runs import hold_warehouse, log_path

runner = CliRunner()

CONTACTS = """\
contact_id,email,created
c1,ann@acme.com,2025-01-02 09:00:00
c2,bo@acme.com,2025-01-03 09:00:00
c3,cy@beta.io,2025-01-04 09:00:00
"""
TICKETS = """\
ticket,email,at,status
t1,ann@acme.com,2025-01-05T10:00:00Z,opened
t1,ann@acme.com,2025-01-06T10:00:00Z,solved
t2,cy@beta.io,2025-01-07T10:00:00Z,opened
"""
APP_EVENTS = """\
user,at,event
u1,2025-01-05T11:00:00Z,signed_up
u2,2025-01-05T12:00:00Z,signed_up
"""


def preset(name: str, ts: str, activity: dict[str, str], ids: dict[str, str]) -> dict[str, Any]:
    return {
        "name": name,
        "format": "csv",
        "system": name,
        "event_id": ["@row"],
        "timestamp": {"column": ts},
        "activity": activity,
        "identifiers": ids,
    }


CRM = {
    "name": "crm",
    "path": "contacts.csv",
    "preset": preset(
        "crm", "created", {"value": "lead_created"}, {"contact_id": "contact_id", "email": "email"}
    ),
}
SUPPORT = {
    "name": "support",
    "path": "tickets.csv",
    "preset": preset("support", "at", {"column": "status"}, {"email": "email"}),
}
PRODUCT = {
    "name": "product",
    "path": "app.csv",
    "preset": preset("product", "at", {"column": "event"}, {"user_id": "user"}),
}


def project(
    root: Path, sources: list[dict[str, Any]], identity: dict[str, Any] | None = None
) -> Path:
    """Exports and a pipeline under ``root``; returns the pipeline file."""
    exports = root / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    (exports / "contacts.csv").write_text(CONTACTS, encoding="utf-8")
    (exports / "tickets.csv").write_text(TICKETS, encoding="utf-8")
    (exports / "app.csv").write_text(APP_EVENTS, encoding="utf-8")
    pipeline = {
        "name": "tiny",
        "data_dir": str(exports),
        "warehouse": str(root / "w.duckdb"),
        "sources": sources,
        "identity": identity or {"link_on": ["email", "contact_id", "user_id"]},
    }
    path = root / "pipeline.yaml"
    path.write_text(yaml.safe_dump(pipeline, sort_keys=False), encoding="utf-8")
    return path


def rows(warehouse: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_run_json_is_the_run_record_and_matches_the_warehouse(tmp_path: Path) -> None:
    pipeline = project(tmp_path, [CRM, SUPPORT])
    result = runner.invoke(app, ["run", str(pipeline), "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    warehouse = tmp_path / "w.duckdb"
    (run,) = rows(
        warehouse,
        "SELECT run_id, status, rows_read, rows_loaded, rows_quarantined, "
        "warnings, epoch(finished_at) - epoch(started_at) FROM mining.runs",
    )
    assert (record["run_id"], record["status"]) == (run[0], "succeeded") == (run[0], run[1])
    assert (record["rows_read"], record["rows_loaded"], record["rows_quarantined"]) == (6, 6, 0)
    assert record["rows_read"] == run[2] and record["warnings"] == run[5] == []
    assert record["duration_s"] >= 0 and abs(record["duration_s"] - run[6]) < 1.0
    per_source = rows(
        warehouse,
        "SELECT source, files_loaded, files_skipped, rows_read, "
        "rows_loaded, rows_quarantined FROM mining.run_sources ORDER BY source",
    )
    assert [
        tuple(s.values()) for s in sorted(record["sources"], key=lambda s: s["source"])
    ] == per_source
    assert per_source == [("crm", 1, 0, 3, 3, 0), ("support", 1, 0, 3, 3, 0)]
    assert record["journeys"] == rows(warehouse, "SELECT count(*) FROM mining.journeys")[0][0] == 3
    assert record["variants"] == rows(warehouse, "SELECT count(*) FROM mining.variants")[0][0]
    assert record["conformance"]["share_reached_goal"] == 0.0
    assert [s["source"] for s in record["stitching"]] == ["crm", "support"]


def test_config_error_exits_2_and_failed_run_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsources: []\n", encoding="utf-8")
    assert runner.invoke(app, ["run", str(bad)]).exit_code == ExitCode.USAGE == 2
    pipeline = project(tmp_path, [CRM, {**SUPPORT, "path": "missing*.csv"}])
    failed = runner.invoke(app, ["run", str(pipeline)])
    assert failed.exit_code == ExitCode.FAILED == 1
    assert "no file matches" in failed.output
    assert rows(tmp_path / "w.duckdb", "SELECT status FROM mining.runs") == [("failed",)]


def test_source_that_joins_no_other_warns_and_strict_exits_3(tmp_path: Path) -> None:
    pipeline = project(tmp_path, [CRM, SUPPORT, PRODUCT])
    relaxed = runner.invoke(app, ["run", str(pipeline), "--quiet"])
    assert relaxed.exit_code == 0, relaxed.output
    assert "source product joins no other source: none of its 2 journeys" in relaxed.output
    strict = runner.invoke(app, ["run", str(pipeline), "--strict", "--json"])
    assert strict.exit_code == ExitCode.WARNINGS == 3
    record = json.loads(strict.stdout)
    assert [w.split(":")[0] for w in record["warnings"]] == ["source product joins no other source"]
    summary = runner.invoke(app, ["summary", "-p", str(pipeline), "--json"])
    data = json.loads(summary.stdout)
    stitching = {
        s["source"]: (s["n_journeys"], s["n_joined"], s["status"]) for s in data["stitching"]
    }
    assert stitching == {
        "crm": (3, 2, "ok"),
        "product": (2, 0, "joins_none"),
        "support": (2, 2, "ok"),
    }
    assert data["warnings"] == record["warnings"]
    table = runner.invoke(app, ["summary", "-p", str(pipeline)])
    assert "warning: source product joins no other source" in " ".join(table.output.split())


def test_source_joining_far_fewer_than_the_others_warns(tmp_path: Path) -> None:
    # support: 2 of its 9 journeys join (22%), against 100% for crm and for product
    tickets = TICKETS + "".join(
        f"t{n},someone{n}@else.org,2025-01-08T10:00:00Z,opened\n" for n in range(3, 10)
    )
    app_events = "email,at,event\n" + "".join(
        f"{who},2025-01-05T11:00:00Z,signed_up\n"
        for who in ("ann@acme.com", "bo@acme.com", "cy@beta.io")
    )
    product = {
        **PRODUCT,
        "preset": preset("product", "at", {"column": "event"}, {"email": "email"}),
    }
    pipeline = project(tmp_path, [CRM, SUPPORT, product])
    (tmp_path / "exports" / "tickets.csv").write_text(tickets, encoding="utf-8")
    (tmp_path / "exports" / "app.csv").write_text(app_events, encoding="utf-8")
    strict = runner.invoke(app, ["run", str(pipeline), "--strict", "--json"])
    assert strict.exit_code == 3, strict.output
    (warning,) = json.loads(strict.stdout)["warnings"]
    assert warning.startswith(
        "source support joins far fewer journeys than the others: 22.2% of its 9 journeys share "
        "an identifier with another source, against a median of 100.0% for the other sources"
    )


def test_shared_inbox_is_reported_and_not_used_as_a_link(tmp_path: Path) -> None:
    contacts = "contact_id,email,created\n" + "".join(
        f"c{n:02},help@acme.com,2025-01-02 09:{n:02}:00\n" for n in range(25)
    )
    pipeline = project(
        tmp_path, [CRM], {"link_on": ["email", "contact_id"], "shared_identifier_limit": 20}
    )
    (tmp_path / "exports" / "contacts.csv").write_text(contacts, encoding="utf-8")
    result = runner.invoke(app, ["run", str(pipeline), "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["shared_identifiers"] == [
        {
            "kind": "email",
            "value": "help@acme.com",
            "linked_kind": "contact_id",
            "n_linked": 25,
            "used_as_link": False,
        }
    ]
    assert record["journeys"] == 25  # one per contact, not one for the inbox
    linked = project(
        tmp_path, [CRM], {"link_on": ["email", "contact_id"], "link_shared_identifiers": True}
    )
    (tmp_path / "exports" / "contacts.csv").write_text(contacts, encoding="utf-8")
    again = json.loads(runner.invoke(app, ["run", str(linked), "--json"]).stdout)
    assert again["journeys"] == 1 and again["shared_identifiers"][0]["used_as_link"] is True


def test_reading_commands_find_the_warehouse_from_w_p_or_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline = project(tmp_path, [CRM, SUPPORT])
    assert runner.invoke(app, ["run", str(pipeline), "--quiet"]).exit_code == 0
    monkeypatch.delenv("JOURNEY_MINING_WAREHOUSE", raising=False)
    monkeypatch.chdir(tmp_path)
    nothing = runner.invoke(app, ["summary"])
    assert nothing.exit_code == 2
    assert "no warehouse named. Fix: pass --warehouse/-w FILE, or --pipeline/-p" in nothing.output
    by_w = runner.invoke(app, ["variants", "-w", str(tmp_path / "w.duckdb"), "--json"])
    by_p = runner.invoke(app, ["variants", "-p", str(pipeline), "--json"])
    monkeypatch.setenv("JOURNEY_MINING_WAREHOUSE", str(tmp_path / "w.duckdb"))
    by_env = runner.invoke(app, ["variants", "--json"])
    assert by_w.exit_code == by_p.exit_code == by_env.exit_code == 0
    assert json.loads(by_w.stdout) == json.loads(by_p.stdout) == json.loads(by_env.stdout)
    assert len(json.loads(by_env.stdout)) == 3


def test_second_run_is_refused_with_exit_4_naming_the_running_run_and_logged(
    tmp_path: Path,
) -> None:
    pipeline = project(tmp_path, [CRM, SUPPORT])
    warehouse = tmp_path / "w.duckdb"
    with hold_warehouse(warehouse, "20250101T000000.000000Z-beef", "nightly") as lock:
        refused = runner.invoke(app, ["run", str(pipeline)])
        started = lock.holder.started_at.strftime("%Y-%m-%d %H:%M:%S")
    assert refused.exit_code == ExitCode.BUSY == 4
    line = " ".join(refused.output.split())
    assert line.startswith(
        f"error: warehouse '{warehouse}' is busy: run 20250101T000000.000000Z-beef of pipeline "
        f"'nightly', started {started} UTC (pid {os.getpid()} on "
    )
    (entry,) = [json.loads(x) for x in log_path(warehouse).read_text().splitlines()]
    assert entry["event"] == "refused" and entry["held_by"] == "20250101T000000.000000Z-beef"
    assert runner.invoke(app, ["run", str(pipeline), "--quiet"]).exit_code == 0
    statuses = rows(warehouse, "SELECT run_id, status, error FROM mining.runs ORDER BY started_at")
    assert [(r[0] == entry["run_id"], r[1]) for r in statuses] == [
        (True, "refused"),
        (False, "succeeded"),
    ]
    assert statuses[0][2] == entry["message"]
    # imported once: a third run does not copy the refusal again
    assert runner.invoke(app, ["run", str(pipeline), "--quiet"]).exit_code == 0
    assert rows(warehouse, "SELECT count(*) FROM mining.runs WHERE status = 'refused'") == [(1,)]


CHILD = textwrap.dedent(
    """
    import sys, time
    import journey_mining as jm

    def stall(event):
        if event.label == "ordering journeys":
            print("READY", flush=True)
            time.sleep(120)

    jm.run(sys.argv[1], progress=stall)
    """
)


def test_killed_run_is_refused_meanwhile_then_marked_aborted_by_the_next(tmp_path: Path) -> None:
    pipeline = project(tmp_path, [CRM, SUPPORT])
    warehouse = tmp_path / "w.duckdb"
    assert runner.invoke(app, ["run", str(pipeline), "--quiet"]).exit_code == 0
    before = rows(warehouse, "SELECT * FROM mining.journeys ORDER BY ALL")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(pipeline)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "READY"
        busy = subprocess.run(
            [sys.executable, "-m", "journey_mining", "run", str(pipeline)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert busy.returncode == 4
        assert f"(pid {child.pid} on " in busy.stderr and "is still running" in busy.stderr
        # a reader is never in the run's way, nor the run in the reader's: the previous state
        reading = runner.invoke(app, ["summary", "-w", str(warehouse), "--json"])
        assert reading.exit_code == 0, reading.output
        assert json.loads(reading.stdout)["journeys"] == len(before)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    assert rows(warehouse, "SELECT * FROM mining.journeys ORDER BY ALL") == before
    after = runner.invoke(app, ["run", str(pipeline), "--quiet"])
    assert after.exit_code == 0, after.output
    history = rows(
        warehouse,
        "SELECT status, last_seen_at IS NOT NULL, error FROM mining.runs ORDER BY started_at",
    )
    assert [h[:2] for h in history] == [
        ("succeeded", False),
        ("aborted", True),
        ("refused", False),
        ("succeeded", False),
    ]
    assert history[1][2].startswith(
        "aborted: the run stopped without finishing (killed or crashed); last seen "
    )
    assert not (tmp_path / "w.duckdb.building").exists()


def _run_in_pty(args: list[str]) -> tuple[int, str]:
    """Run a command with a pseudo-terminal as its stdin, stdout and stderr; return its output."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 140, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "140"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the other side closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return process.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


def test_progress_bars_show_on_a_terminal_and_not_in_a_pipe(tmp_path: Path) -> None:
    pipeline = project(tmp_path, [CRM, SUPPORT])
    command = [sys.executable, "-m", "journey_mining", "run", str(pipeline), "--quiet"]
    code, screen = _run_in_pty(command)
    assert code == 0, screen
    assert "loaded crm: 3 rows" in screen and "loaded support: 3 rows" in screen
    assert "━" in screen  # a bar
    assert "of 11" in screen or " B of " in screen  # bytes read of the source's total
    assert "ordering journeys" in screen and "✓" in screen  # stages ticked off
    piped = subprocess.run(
        [*command[:-1], "--json"], capture_output=True, text=True, timeout=120, check=True
    )
    assert piped.stderr == ""  # nothing but the record: no bar, no stage line
    assert json.loads(piped.stdout)["status"] == "succeeded"
