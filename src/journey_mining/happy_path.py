"""The authored happy path: a short YAML file (DESIGN §4) parsed into a validated model.

The same definition is a funnel (its ordered, required steps) and a process model
(see ``journey_mining.mining.conformance``).

YAML shape::

    name: self-serve onboarding
    goal: plan_upgraded
    steps:
      - signed_up
      - onboarding_started
      - onboarding_completed: {within: 7d}
      - any_order: [invite_sent, feature_reports_used]
      - trial_extended: {optional: true}
      - report_viewed: {repeat: true}
      - plan_upgraded: {within: 30d}
    optional: [webinar_attended]      # may happen any number of times, anywhere

``within`` is the longest allowed wait since the previous required step was reached
(``30s``, ``15m``, ``12h``, ``7d``, ``2w``). A step marked ``repeat`` may loop.

Example:
    >>> hp = parse_happy_path({"name": "x", "goal": "b", "steps": ["a", {"b": {"within": "2d"}}]})
    >>> [s.activities for s in hp.steps], hp.steps[1].within_s
    ([('a',), ('b',)], 172800.0)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from journey_mining.errors import ConfigError, excerpt
from journey_mining.safeyaml import read_limited_yaml

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_STEP_OPTIONS = {"within", "optional", "repeat"}


def parse_duration(value: str | int | float, where: str = "duration") -> float:
    """Turn ``'7d'``, ``'12h'``, ``'30m'``, ``'45s'``, ``'2w'`` or a number of seconds into seconds.

    Example:
        >>> parse_duration("12h")
        43200.0
    """
    if isinstance(value, bool):
        raise ConfigError(
            f"{where}: {excerpt(value)} is not a duration. Fix: write e.g. 7d, 12h or 30m."
        )
    if isinstance(value, int | float):
        return float(value)
    match = _DURATION.match(str(value))
    if not match:
        raise ConfigError(
            f"{where}: {excerpt(value)} is not a duration. Fix: write a number and a unit "
            "(s, m, h, d, w), e.g. 7d, 12h or 30m."
        )
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


class HappyPathStep(BaseModel):
    """One step of the path: a single activity, or a group whose activities may come in any order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    activities: tuple[str, ...] = Field(min_length=1)
    any_order: bool = False
    optional: bool = False
    repeat: bool = False
    within_s: float | None = None

    @property
    def label(self) -> str:
        """The step's name in funnels and reports: its activity, or ``a + b`` for a group."""
        return " + ".join(self.activities)


class HappyPath(BaseModel):
    """A validated happy path: ordered steps, activities allowed anywhere, and the goal."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    goal: str
    steps: tuple[HappyPathStep, ...] = Field(min_length=1)
    optional: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _check_consistency(self) -> HappyPath:
        seen: list[str] = []
        for step in self.steps:
            seen.extend(step.activities)
        duplicates = sorted({a for a in seen if seen.count(a) > 1})
        if duplicates:
            raise ValueError(
                f"activities {duplicates} appear in more than one step; "
                "fix: list each activity once (use repeat: true for a loop)"
            )
        clash = sorted(set(seen) & set(self.optional))
        if clash:
            raise ValueError(
                f"activities {clash} are both steps and optional; fix: keep them in one place"
            )
        if self.goal not in seen:
            raise ValueError(
                f"goal {self.goal!r} is not one of the steps {seen}; fix: add it as a step"
            )
        return self

    @property
    def activities(self) -> tuple[str, ...]:
        """Every activity the path knows: its steps' and the optional ones."""
        return tuple(a for s in self.steps for a in s.activities) + self.optional

    @property
    def funnel_steps(self) -> tuple[HappyPathStep, ...]:
        """The required steps, in order: the funnel a journey moves down."""
        return tuple(s for s in self.steps if not s.optional)


def _parse_step(raw: Any, index: int, where: str) -> HappyPathStep:
    at = f"{where}: steps[{index}]"
    if isinstance(raw, str):
        return HappyPathStep(activities=(raw,))
    if isinstance(raw, dict) and len(raw) == 1:
        ((key, value),) = raw.items()
        if key == "any_order":
            if (
                not isinstance(value, list)
                or not value
                or not all(isinstance(v, str) for v in value)
            ):
                raise ConfigError(
                    f"{at}: any_order needs a list of activity names, got {excerpt(value)}"
                )
            return HappyPathStep(activities=tuple(value), any_order=True)
        options = value or {}
        if not isinstance(options, dict):
            raise ConfigError(
                f"{at}: options of step {key!r} must be a mapping like {{within: 7d}}, got {excerpt(value)}"
            )
        unknown = set(options) - _STEP_OPTIONS
        if unknown:
            raise ConfigError(
                f"{at}: unknown option(s) {sorted(unknown)} on step {key!r}; "
                f"fix: use only {sorted(_STEP_OPTIONS)}"
            )
        within = options.get("within")
        return HappyPathStep(
            activities=(str(key),),
            optional=bool(options.get("optional", False)),
            repeat=bool(options.get("repeat", False)),
            within_s=None if within is None else parse_duration(within, f"{at}.within"),
        )
    raise ConfigError(
        f"{at}: {excerpt(raw)} is not a step. Fix: write an activity name, "
        "'name: {within: 7d}', or 'any_order: [a, b]'."
    )


def parse_happy_path(data: Any, where: str = "happy path") -> HappyPath:
    """Validate a happy path given as a mapping (the YAML file's content)."""
    if not isinstance(data, dict):
        raise ConfigError(
            f"{where}: expected a mapping with name, goal and steps, got {excerpt(data)}"
        )
    unknown = set(data) - {"name", "goal", "steps", "optional"}
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {sorted(unknown)}; fix: use name, goal, steps, optional"
        )
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise ConfigError(f"{where}: 'steps' must be a non-empty list of steps")
    steps = tuple(_parse_step(s, i, where) for i, s in enumerate(raw_steps))
    try:
        return HappyPath(
            name=str(data.get("name") or "happy path"),
            goal=str(data.get("goal") or steps[-1].activities[-1]),
            steps=steps,
            optional=tuple(str(a) for a in data.get("optional") or ()),
        )
    except ValidationError as err:
        first = err.errors()[0]
        raise ConfigError(f"{where}: {first['msg']}") from None


def load_happy_path(path: str | Path) -> HappyPath:
    """Read and validate a happy path YAML file.

    Example:
        >>> load_happy_path("pipelines/happy_paths/b2b_saas.yaml").goal  # doctest: +SKIP
        'plan_upgraded'
    """
    file = Path(path)
    if not file.is_file():
        raise ConfigError(
            f"happy path file {str(file.absolute())!r} does not exist. Fix: check the path."
        )
    data = read_limited_yaml(file, "happy path")
    return parse_happy_path(data, where=str(file))
