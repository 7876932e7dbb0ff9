"""Episode, team, resource, rating and customer attributes: computed at landing, in staging."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from journey_mining.config import load_preset
from journey_mining.errors import ConfigError
from tests.conftest import TinyProject

PRESET = {
    "name": "tiny_desk",
    "format": "jsonl",
    "system": "support",
    "event_id": ["id"],
    "timestamp": {"column": "at"},
    "activity": {"column": "what"},
    "identifiers": {"email": "requester.email"},
}
LINES = (
    '{"id": 1, "ticket": 70, "at": "2025-01-05T10:00:00Z", "what": "created", '
    '"group": "Tier 1", "agent": {"name": "Mo"}, "requester": {"email": "ann@acme.com", '
    '"plan": "pro"}}\n'
    '{"id": 2, "ticket": 70, "at": "2025-01-06T10:00:00Z", "what": "rated", "csat": 4, '
    '"requester": {"email": "ann@acme.com"}}\n'
)


@pytest.fixture
def desk(tiny: TinyProject) -> TinyProject:
    tiny.file("desk.jsonl", LINES)
    (tiny.root / "preset.yaml").write_text(yaml.safe_dump(PRESET), encoding="utf-8")
    tiny.pipeline(
        {
            "sources": [
                {"name": "desk", "preset": str(tiny.root / "preset.yaml"), "path": "desk.jsonl"}
            ],
            "identity": {"link_on": ["email"]},
        }
    )
    return tiny


def _with(tiny: TinyProject, **fields: object) -> None:
    (tiny.root / "preset.yaml").write_text(yaml.safe_dump({**PRESET, **fields}), encoding="utf-8")


def test_a_preset_without_them_stages_null_columns(desk: TinyProject) -> None:
    desk.run()
    assert desk.rows(
        "SELECT row_no, episode, row_team, resource, rating FROM staging.stg_desk ORDER BY row_no"
    ) == [(1, None, None, None, None), (2, None, None, None, None)]


def test_declared_fields_are_computed_at_landing_and_staged(desk: TinyProject) -> None:
    _with(
        desk,
        episode={"template": "ticket-{ticket}"},
        team={"column": "group"},
        resource={"column": "agent.name"},
        rating={"column": "csat"},
        attributes={"plan": "requester.plan"},
    )
    desk.run()
    assert desk.rows(
        "SELECT _jm_episode, _jm_team, _jm_resource, _jm_rating, _jm_attr_plan "
        "FROM raw.desk ORDER BY _row"
    ) == [("ticket-70", "Tier 1", "Mo", None, "pro"), ("ticket-70", None, None, "4", None)]
    assert desk.rows(
        "SELECT episode, row_team, resource, rating, attr_plan FROM staging.stg_desk ORDER BY row_no"
    ) == [("ticket-70", "Tier 1", "Mo", None, "pro"), ("ticket-70", None, None, "4", None)]


def test_fields_added_to_a_preset_fill_rows_already_landed(desk: TinyProject) -> None:
    desk.run()
    _with(desk, rating={"column": "csat"}, attributes={"plan": "requester.plan"})
    second = desk.run()
    assert [f.status for s in second.sources for f in s.files] == ["skipped"]
    assert desk.rows("SELECT rating, attr_plan FROM staging.stg_desk ORDER BY row_no") == [
        (None, "pro"),
        ("4", None),
    ]


def test_an_attribute_name_that_is_not_an_identifier_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({**PRESET, "attributes": {"Plan Tier": "plan"}}))
    with pytest.raises(ConfigError, match="attribute name 'Plan Tier' is not allowed"):
        load_preset(str(path))


def test_a_rating_needs_exactly_one_of_column_value_or_template(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({**PRESET, "rating": {"column": "a", "value": "b"}}))
    with pytest.raises(ConfigError, match="rating: Value error, give exactly one of column"):
        load_preset(str(path))
