"""The nightly examples of docs/nightly.md, run as far as this machine allows.

The cron line is run as written (by ``sh``, as cron runs it) with ``JM_HOME`` pointing at a
project laid out like ``/srv/journey-mining``; the systemd units pass ``systemd-analyze
verify`` and their command runs; the Airflow DAG file is executed against a minimal stand-in
for Airflow's two classes and its task's command is run.
"""

from __future__ import annotations

import getpass
import json
import shlex
import shutil
import subprocess
import sys
import types
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples" / "nightly"
SERVER_HOME = "/srv/journey-mining"


def project(root: Path, warns: bool = False) -> Path:
    """A project laid out like /srv/journey-mining: .venv, pipelines/nightly.yaml, exports."""
    root.mkdir(parents=True)
    (root / ".venv").symlink_to(Path(sys.prefix))  # the virtualenv running the tests
    exports = root / "exports"
    exports.mkdir(parents=True)
    (exports / "contacts.csv").write_text(
        "contact_id,email,created\nc1,ann@acme.com,2025-01-02 09:00:00\n", encoding="utf-8"
    )
    (exports / "tickets.csv").write_text(
        "email,at,status\nann@acme.com,2025-01-05T10:00:00Z,opened\n", encoding="utf-8"
    )
    (exports / "app.csv").write_text("user,at,event\nu1,2025-01-05T11:00:00Z,signed_up\n", "utf-8")

    def source(
        name: str, path: str, ts: str, activity: dict[str, str], ids: dict[str, str]
    ) -> dict[str, Any]:
        preset = {
            "name": name,
            "format": "csv",
            "system": name,
            "event_id": ["@row"],
            "timestamp": {"column": ts},
            "activity": activity,
            "identifiers": ids,
        }
        return {"name": name, "path": path, "preset": preset}

    sources = [
        source(
            "crm",
            "contacts.csv",
            "created",
            {"value": "lead"},
            {"contact_id": "contact_id", "email": "email"},
        ),
        source("support", "tickets.csv", "at", {"column": "status"}, {"email": "email"}),
    ]
    if warns:  # product events keyed by a user id no other source has: joins nothing
        sources.append(source("product", "app.csv", "at", {"column": "event"}, {"user_id": "user"}))
    pipeline = {
        "name": "nightly",
        "data_dir": str(exports),
        "warehouse": str(root / "journeys.duckdb"),
        "sources": sources,
        "identity": {"link_on": ["email", "contact_id", "user_id"]},
    }
    (root / "pipelines").mkdir()
    (root / "pipelines" / "nightly.yaml").write_text(yaml.safe_dump(pipeline), encoding="utf-8")
    return root


def test_nightly_doc_shows_each_example_file_verbatim() -> None:
    page = (ROOT / "docs" / "nightly.md").read_text(encoding="utf-8")
    for example in sorted(EXAMPLES.iterdir()):
        assert example.read_text(encoding="utf-8").strip() in page, example.name


def _cron_job() -> tuple[dict[str, str], str]:
    variables, job = {}, None
    for line in (EXAMPLES / "crontab").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if sep and " " not in name:
            variables[name] = value
        else:
            job = line.split(None, 5)[5]  # after minute, hour, day, month, weekday
    assert job is not None
    return variables, job


@pytest.mark.parametrize("warns", [False, True], ids=["ok", "warnings"])
def test_cron_line_runs_as_written(tmp_path: Path, warns: bool) -> None:
    home = project(tmp_path / "srv", warns=warns)
    variables, job = _cron_job()
    assert variables["JM_HOME"] == SERVER_HOME
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **variables, "JM_HOME": str(home)}
    done = subprocess.run(
        ["/bin/sh", "-c", job], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0 and done.stderr == ""
    records = [
        json.loads(line) for line in (home / "logs" / "nightly.jsonl").read_text().splitlines()
    ]
    assert [r["status"] for r in records] == ["succeeded"]
    if warns:  # cron mails this line
        assert done.stdout == (
            f"journey-mining nightly run in {home}: exit 3 (1 failed, 2 config, 3 warnings, "
            "4 busy); see logs/nightly.log\n"
        )
        assert (
            "warning: source product joins no other source"
            in (home / "logs" / "nightly.log").read_text()
        )
        assert records[0]["warnings"][0].startswith("source product joins no other source")
    else:
        assert done.stdout == ""  # silent: no mail


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed"
)
def test_systemd_units_verify_and_their_command_runs(tmp_path: Path) -> None:
    home = project(tmp_path / "srv")
    units = tmp_path / "units"
    units.mkdir()
    for example in EXAMPLES.glob("*.*"):
        if example.suffix in (".service", ".timer"):
            text = example.read_text(encoding="utf-8").replace(SERVER_HOME, str(home))
            (units / example.name).write_text(
                text.replace("User=journeys", f"User={getpass.getuser()}")
            )
    verified = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *sorted(str(u) for u in units.iterdir())],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=units,
    )
    assert verified.returncode == 0, verified.stderr
    assert "journey-mining" not in verified.stderr  # no complaint about our units
    service = (units / "journey-mining-nightly.service").read_text(encoding="utf-8")
    command = next(line for line in service.splitlines() if line.startswith("ExecStart="))
    ran = subprocess.run(
        shlex.split(command.removeprefix("ExecStart=")),
        cwd=home,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["status"] == "succeeded"


class _Dag:
    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs

    def __enter__(self) -> _Dag:
        return self

    def __exit__(self, *args: object) -> None:
        return None


class _BashOperator:
    made: ClassVar[list[_BashOperator]] = []

    def __init__(self, task_id: str, bash_command: str) -> None:
        self.task_id, self.bash_command = task_id, bash_command
        _BashOperator.made.append(self)


def test_airflow_dag_runs_the_same_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    airflow = types.ModuleType("airflow")
    airflow.DAG = _Dag  # type: ignore[attr-defined]
    operators = types.ModuleType("airflow.operators")
    bash = types.ModuleType("airflow.operators.bash")
    bash.BashOperator = _BashOperator  # type: ignore[attr-defined]
    for name, module in {
        "airflow": airflow,
        "airflow.operators": operators,
        "airflow.operators.bash": bash,
    }.items():
        monkeypatch.setitem(sys.modules, name, module)
    namespace: dict[str, Any] = {}
    exec(compile((EXAMPLES / "airflow_dag.py").read_text(), "airflow_dag.py", "exec"), namespace)
    dag = namespace["dag"]
    assert dag.kwargs["schedule"] == "15 2 * * *" and dag.kwargs["default_args"]["retries"] == 2
    (task,) = [t for t in _BashOperator.made if t.task_id == "run_pipeline"]
    home = project(tmp_path / "srv")
    command = task.bash_command.replace(SERVER_HOME, str(home))
    ran = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["status"] == "succeeded"
