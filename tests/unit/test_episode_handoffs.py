"""Hand-offs inside an episode (a ticket): the handoffs table's `episode` scope and the
episode_ping_pong finding, on a tiny log with a group column."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import TinyProject

PRESET = {
    "name": "tickets",
    "format": "csv",
    "system": "support",
    "event_id": ["@row"],
    "timestamp": {"column": "at"},
    "activity": {"column": "event"},
    "episode": {"column": "ticket"},
    "team": {"column": "group"},
    "identifiers": {"case_id": "customer"},
}


def _log(n: int) -> str:
    """n customers: each opens a ticket (tier1 → tier2); even ones are sent back to tier1 and
    never buy, odd ones are solved by tier2 and buy."""
    lines = ["customer,ticket,event,group,at"]
    for i in range(n):
        c = f"c{i:03d}"
        lines += [
            f"{c},,start,,2024-01-01T10:00:00Z",
            f"{c},t{i},opened,tier1,2024-01-01T11:00:00Z",
            f"{c},t{i},escalated,tier2,2024-01-01T12:00:00Z",
        ]
        if i % 2 == 0:
            lines.append(f"{c},t{i},returned,tier1,2024-01-01T13:00:00Z")
        else:
            lines += [
                f"{c},t{i},solved,tier2,2024-01-01T13:00:00Z",
                f"{c},,buy,,2024-01-02T10:00:00Z",
            ]
    return "\n".join(lines) + "\n"


def _project(tiny: TinyProject, n: int) -> TinyProject:
    tiny.file("tickets.csv", _log(n))
    tiny.pipeline(
        {
            "sources": [{"name": "tickets", "preset": PRESET, "path": "tickets.csv"}],
            "identity": {"link_on": ["case_id"]},
            "findings": {"min_journeys": 5},
        },
        {"name": "buy", "goal": "buy", "steps": ["start", "buy"]},
    )
    tiny.run()
    return tiny


def test_team_changes_inside_a_ticket_are_episode_handoffs(tiny: TinyProject) -> None:
    project = _project(tiny, 4)
    assert project.rows(
        "SELECT scope, from_team, to_team, n_handoffs, n_cases FROM mining.handoffs ORDER BY ALL"
    ) == [("episode", "tier1", "tier2", 4, 4), ("episode", "tier2", "tier1", 2, 2)]


def test_a_ticket_sent_back_is_an_episode_ping_pong_finding(
    tiny: TinyProject, tmp_path: Path
) -> None:
    project = _project(tiny, 40)
    rows = project.rows(
        "SELECT label, n_exposed, n_unexposed, goal_exposed, goal_unexposed FROM mining.friction "
        "WHERE kind = 'episode_ping_pong' AND segment IS NULL"
    )
    assert rows == [("episode handed back to tier1 after tier2", 20, 20, 0, 20)]


def test_the_episode_ping_pong_is_reproduced_by_its_documented_sql(tiny: TinyProject) -> None:
    from journey_mining import api
    from tests.findings_support import documented_sql, reproduce

    project = _project(tiny, 40)
    friction = api.table(project.warehouse, "friction")
    finding = friction[friction["kind"] == "episode_ping_pong"].iloc[0].to_dict()
    con = project.connect()
    try:
        again = reproduce(con, documented_sql()["episode_ping_pong"], finding)
    finally:
        con.close()
    assert (
        again["n_exposed"],
        again["n_unexposed"],
        again["goal_exposed"],
        again["goal_unexposed"],
    ) == (
        20,
        20,
        0,
        20,
    )
