"""Conformance against the happy path: exact alignments and deviations on tiny variant logs."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from journey_mining.errors import ConfigError, MiningError
from journey_mining.happy_path import HappyPath, parse_happy_path
from journey_mining.mining.conformance import (
    align_variants,
    bpmn_model,
    classify_deviations,
    discover_model_bpmn,
    happy_path_model,
    happy_path_tree,
)
from journey_mining.mining.models import Deviation, ProcessModel, VariantAlignment

ONBOARDING = {
    "name": "onboarding",
    "goal": "upgraded",
    "steps": [
        "signed_up",
        "onboarded",
        {"any_order": ["invited", "reported"]},
        {"trial_extended": {"optional": True}},
        {"report_viewed": {"repeat": True}},
        {"upgraded": {"within": "30d"}},
    ],
    "optional": ["webinar"],
}
PERFECT = ["signed_up", "onboarded", "invited", "reported", "report_viewed", "upgraded"]
# The shortest complete run of ONBOARDING has 6 visible steps, so pm4py's fitness of a
# trace of length n with k deviating moves is 1 - k / (n + 6).


@pytest.fixture(scope="module")
def hp() -> HappyPath:
    return parse_happy_path(ONBOARDING)


@pytest.fixture(scope="module")
def model(hp: HappyPath) -> ProcessModel:
    return happy_path_model(hp)


def variant_log(*traces: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "variant_id": [f"v{i}" for i in range(1, len(traces) + 1)],
            "activities": [list(t) for t in traces],
            "n_cases": [1] * len(traces),
        }
    )


def align_one(trace: list[str], model: ProcessModel) -> VariantAlignment:
    (alignment,) = align_variants(variant_log(trace), model)
    return alignment


def deviations(alignment: VariantAlignment, hp: HappyPath) -> list[tuple[str, str, int]]:
    return [
        (d.kind, d.activity, d.position) for d in classify_deviations(alignment, set(hp.activities))
    ]


# ----------------------------------------------------------------------- the model


def test_happy_path_tree_maps_each_step_option_to_an_operator(hp: HappyPath) -> None:
    assert happy_path_tree(hp) == (
        "and",
        (
            (
                "seq",
                (
                    "signed_up",
                    "onboarded",
                    ("and", ("invited", "reported")),
                    ("xor", ("trial_extended", None)),
                    ("loop", ("report_viewed", None)),
                    "upgraded",
                ),
            ),
            ("loop", (None, "webinar")),
        ),
    )


def test_model_knows_every_happy_path_activity(model: ProcessModel, hp: HappyPath) -> None:
    assert model.activities == frozenset(hp.activities)


def test_fingerprint_is_stable_across_calls(hp: HappyPath, model: ProcessModel) -> None:
    again = happy_path_model(parse_happy_path(ONBOARDING))
    assert again.fingerprint == model.fingerprint
    assert len(model.fingerprint) == 64


def test_fingerprint_changes_when_the_path_changes(model: ProcessModel) -> None:
    changed = dict(ONBOARDING, steps=[*ONBOARDING["steps"], "renewed"], goal="renewed")
    assert happy_path_model(parse_happy_path(changed)).fingerprint != model.fingerprint


def test_fingerprint_ignores_name_and_time_windows(model: ProcessModel) -> None:
    steps = [*ONBOARDING["steps"][:-1], "upgraded"]  # no `within`
    renamed = dict(ONBOARDING, name="another name", steps=steps)
    assert happy_path_model(parse_happy_path(renamed)).fingerprint == model.fingerprint


# ------------------------------------------------------------------- alignments


def test_perfect_trace_fits_without_deviations(model: ProcessModel, hp: HappyPath) -> None:
    alignment = align_one(PERFECT, model)
    assert (alignment.variant_id, alignment.cost, alignment.fitness) == ("v1", 0, 1.0)
    assert alignment.moves == [(a, a) for a in PERFECT]
    assert deviations(alignment, hp) == []


def test_skipped_step_is_a_model_move_at_the_next_event(model: ProcessModel, hp: HappyPath) -> None:
    alignment = align_one(["signed_up", "invited", "reported", "report_viewed", "upgraded"], model)
    assert (alignment.cost, alignment.fitness) == (1, 1 - 1 / 11)
    assert (None, "onboarded") in alignment.moves
    assert deviations(alignment, hp) == [("skipped", "onboarded", 2)]


def test_skipped_last_step_is_expected_after_the_trace(model: ProcessModel, hp: HappyPath) -> None:
    alignment = align_one(PERFECT[:-1], model)
    assert deviations(alignment, hp) == [("skipped", "upgraded", 6)]


def test_unknown_activity_is_inserted(model: ProcessModel, hp: HappyPath) -> None:
    trace = [*PERFECT[:2], "churn_call", *PERFECT[2:]]
    alignment = align_one(trace, model)
    assert (alignment.cost, alignment.fitness) == (1, 1 - 1 / 13)
    assert deviations(alignment, hp) == [("inserted", "churn_call", 3)]


def test_unknown_activities_cost_one_log_move_each_wherever_they_are(
    model: ProcessModel, hp: HappyPath
) -> None:
    # unknown activities are aligned through the trace's projection onto the model
    trace = ["churn_call", "signed_up", "churn_call", "invited", "reported", "nps", "upgraded"]
    alignment = align_one(trace, model)
    assert (alignment.cost, alignment.fitness) == (5, 1 - 5 / 13)
    assert alignment.trace == tuple(trace)
    assert deviations(alignment, hp) == [
        ("inserted", "churn_call", 1),
        ("inserted", "churn_call", 3),
        ("skipped", "onboarded", 4),
        ("inserted", "nps", 6),
        ("skipped", "report_viewed", 7),
    ]


def test_variants_sharing_a_projection_get_pm4pys_cost_and_fitness(model: ProcessModel) -> None:
    import pm4py
    from pm4py.algo.conformance.alignments.petri_net import algorithm as pm4py_alignments

    traces = [
        ["signed_up", "x", "invited", "reported", "upgraded"],
        ["y", "signed_up", "invited", "y", "reported", "upgraded", "z"],
        ["signed_up", "invited", "reported", "upgraded"],
    ]
    ours = align_variants(variant_log(*traces), model)
    log = pm4py.format_dataframe(
        pd.DataFrame(
            {
                "case": [str(i) for i, t in enumerate(traces) for _ in t],
                "activity": [a for t in traces for a in t],
                "ts": pd.Timestamp("2025-01-01")
                + pd.to_timedelta([j for t in traces for j in range(len(t))], unit="s"),
            }
        ),
        case_id="case",
        activity_key="activity",
        timestamp_key="ts",
    )
    theirs = pm4py_alignments.apply(
        pm4py.convert_to_event_log(log), model.net, model.initial_marking, model.final_marking
    )
    assert [a.fitness for a in ours] == [t["fitness"] for t in theirs]
    assert [a.cost for a in ours] == [t["cost"] // 10_000 for t in theirs]


def test_step_done_twice_is_repeated(model: ProcessModel, hp: HappyPath) -> None:
    trace = [*PERFECT[:2], "onboarded", *PERFECT[2:]]
    alignment = align_one(trace, model)
    assert (alignment.cost, alignment.fitness) == (1, 1 - 1 / 13)
    assert deviations(alignment, hp) == [("repeated", "onboarded", 3)]


def test_repeat_step_may_loop_without_cost(model: ProcessModel, hp: HappyPath) -> None:
    trace = [*PERFECT[:4], "report_viewed", "report_viewed", "report_viewed", "upgraded"]
    alignment = align_one(trace, model)
    assert (alignment.cost, alignment.fitness) == (0, 1.0)
    assert deviations(alignment, hp) == []


def test_swapped_steps_are_one_out_of_order(model: ProcessModel, hp: HappyPath) -> None:
    trace = ["onboarded", "signed_up", "invited", "reported", "report_viewed", "upgraded"]
    alignment = align_one(trace, model)
    assert (alignment.cost, alignment.fitness) == (2, 1 - 2 / 12)
    assert deviations(alignment, hp) == [("out_of_order", "onboarded", 1)]


def test_any_order_group_is_accepted_in_both_orders(model: ProcessModel) -> None:
    other_order = ["signed_up", "onboarded", "reported", "invited", "report_viewed", "upgraded"]
    alignments = align_variants(variant_log(PERFECT, other_order), model)
    assert [(a.cost, a.fitness) for a in alignments] == [(0, 1.0), (0, 1.0)]


def test_optional_step_costs_nothing_present_or_absent(model: ProcessModel) -> None:
    with_trial = [*PERFECT[:4], "trial_extended", *PERFECT[4:]]
    alignments = align_variants(variant_log(PERFECT, with_trial), model)
    assert [(a.cost, a.fitness) for a in alignments] == [(0, 1.0), (0, 1.0)]


def test_top_level_optional_activity_is_free_anywhere(model: ProcessModel, hp: HappyPath) -> None:
    trace = ["webinar", "signed_up", "onboarded", "webinar", *PERFECT[2:], "webinar"]
    alignment = align_one(trace, model)
    assert (alignment.cost, alignment.fitness) == (0, 1.0)
    assert deviations(alignment, hp) == []


def test_alignments_come_back_in_input_order(model: ProcessModel) -> None:
    frame = variant_log(PERFECT[:-1], PERFECT, PERFECT[1:])
    frame["variant_id"] = ["b", "c", "a"]
    assert [a.variant_id for a in align_variants(frame, model)] == ["b", "c", "a"]


def test_align_variants_leaves_the_frame_untouched(model: ProcessModel) -> None:
    frame = variant_log(PERFECT, PERFECT[1:])
    before = frame.copy(deep=True)
    align_variants(frame, model)
    pd.testing.assert_frame_equal(frame, before)


def test_empty_trace_is_all_model_moves(model: ProcessModel) -> None:
    alignment = align_one([], model)
    assert (alignment.cost, alignment.fitness) == (6, 0.0)


# ------------------------------------------------------------------------ cache


def test_cached_variant_is_not_recomputed(model: ProcessModel) -> None:
    sentinel = VariantAlignment(
        variant_id="v1", cost=99, fitness=0.123, moves=[(a, a) for a in PERFECT]
    )
    calls: list[tuple[int, int]] = []
    result = align_variants(
        variant_log(PERFECT, PERFECT[1:]),
        model,
        cached={"v1": sentinel},
        progress=lambda done, total: calls.append((done, total)),
    )
    assert result[0] is sentinel
    assert (result[1].variant_id, result[1].cost) == ("v2", 1)
    assert calls == [(1, 1)]


def test_fully_cached_log_never_reports_progress(model: ProcessModel) -> None:
    sentinel = VariantAlignment(variant_id="v1", cost=0, fitness=1.0, moves=[("a", "a")])
    calls: list[tuple[int, int]] = []
    frame = variant_log(["a"])
    result = align_variants(frame, model, {"v1": sentinel}, lambda d, t: calls.append((d, t)))
    assert result == [sentinel]
    assert calls == []


def test_cached_alignment_of_another_trace_is_recomputed(model: ProcessModel) -> None:
    stale = VariantAlignment(variant_id="v1", cost=0, fitness=1.0, moves=[("x", "x")])
    (alignment,) = align_variants(variant_log(PERFECT), model, cached={"v1": stale})
    assert alignment is not stale
    assert alignment.trace == tuple(PERFECT)


def test_progress_counts_every_new_variant(model: ProcessModel) -> None:
    calls: list[tuple[int, int]] = []
    align_variants(
        variant_log(PERFECT, PERFECT[1:], PERFECT[2:]),
        model,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(1, 3), (2, 3), (3, 3)]


# ------------------------------------------------------------- classify (pure)


def named(
    moves: list[tuple[str | None, str | None]], known: set[str] | None = None
) -> list[Deviation]:
    alignment = VariantAlignment(variant_id="v", cost=0, fitness=0.0, moves=moves)
    return classify_deviations(alignment, known)


def test_classify_reports_deviations_in_trace_order() -> None:
    moves = [("a", "a"), (None, "b"), ("x", None), ("c", "c"), ("a", None)]
    assert [(d.kind, d.activity, d.position) for d in named(moves)] == [
        ("skipped", "b", 2),
        ("inserted", "x", 2),
        ("repeated", "a", 4),
    ]


def test_classify_pairs_log_and_model_moves_of_one_activity() -> None:
    moves = [("b", None), ("a", "a"), (None, "b"), ("b", None)]
    assert [(d.kind, d.activity, d.position) for d in named(moves)] == [
        ("out_of_order", "b", 1),
        ("repeated", "b", 3),
    ]


def test_classify_never_calls_an_extra_activity_repeated() -> None:
    moves = [("a", "a"), ("x", None), ("x", None)]
    kinds = [(d.kind, d.position) for d in named(moves, known={"a"})]
    assert kinds == [("inserted", 2), ("inserted", 3)]
    assert [d.kind for d in named(moves, known=None)] == ["inserted", "repeated"]


def test_classify_carries_the_variant_id() -> None:
    (deviation,) = named([(None, "a")])
    assert deviation == Deviation(variant_id="v", kind="skipped", activity="a", position=1)


# -------------------------------------------------------- BPMN files and errors


def test_discovered_bpmn_round_trips_and_fingerprints_its_bytes(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "variant_id": ["v1", "v2"],
            "activities": [["a", "b", "c"], ["a", "c", "b"]],
            "n_cases": [5, 2],
        }
    )
    target = tmp_path / "discovered.bpmn"
    discover_model_bpmn(frame, target)
    model = bpmn_model(target)
    assert model.fingerprint == hashlib.sha256(target.read_bytes()).hexdigest()
    assert model.activities == {"a", "b", "c"}
    assert [a.fitness for a in align_variants(frame, model)] == [1.0, 1.0]


def test_discover_refuses_a_path_without_bpmn_suffix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"model\.xml.*ending in \.bpmn"):
        discover_model_bpmn(variant_log(PERFECT), tmp_path / "model.xml")


def test_missing_bpmn_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nowhere\.bpmn' does not exist"):
        bpmn_model(tmp_path / "nowhere.bpmn")


def test_unparsable_bpmn_file_is_a_mining_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.bpmn"
    broken.write_text("<definitions><process>", encoding="utf-8")
    with pytest.raises(MiningError, match=r"broken\.bpmn' could not be read"):
        bpmn_model(broken)


def test_variant_log_without_activities_column_is_refused(model: ProcessModel) -> None:
    frame = pd.DataFrame({"variant_id": ["v1"], "trace": [["a"]]})
    with pytest.raises(MiningError, match=r"lacks column\(s\) \['activities'\]"):
        align_variants(frame, model)


def test_duplicate_variant_ids_are_refused(model: ProcessModel) -> None:
    frame = variant_log(PERFECT, PERFECT[1:])
    frame["variant_id"] = ["same", "same"]
    with pytest.raises(MiningError, match=r"variant_id 'same' appears more than once"):
        align_variants(frame, model)


# --------------------------------------------------------------- the boundary


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )


def test_importing_conformance_does_not_import_pm4py() -> None:
    result = run_python(
        "import sys, journey_mining.mining.conformance; print('pm4py' in sys.modules)"
    )
    assert result.stdout == "False\n"


def test_aligning_prints_no_banner_and_no_progress_bar() -> None:
    code = (
        "import pandas as pd\n"
        "from journey_mining.happy_path import parse_happy_path\n"
        "from journey_mining.mining.conformance import align_variants, happy_path_model\n"
        "hp = parse_happy_path({'name': 'x', 'goal': 'b', 'steps': ['a', 'b']})\n"
        "frame = pd.DataFrame({'variant_id': ['1', '2'], 'activities': [['a', 'b'], ['b']]})\n"
        "print([a.fitness for a in align_variants(frame, happy_path_model(hp))])\n"
    )
    result = run_python(code)
    assert (result.stdout, result.stderr) == ("[1.0, 0.6666666666666667]\n", "")
