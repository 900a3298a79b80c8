"""The pure progress formulas, without a database."""

from decimal import Decimal as D

import pytest

from indicators import progress

WEIGHTS = {"fulfilled": D(1), "in_progress": D("0.5"), "planning": D("0.1")}


def test_implementation_score_is_the_mean_status_weight_over_all_pledges() -> None:
    counts = {"fulfilled": 1, "in_progress": 1, "planning": 1, "no_update": 1}

    assert progress.implementation_score(counts, 4, WEIGHTS) == D("0.4")


def test_implementation_score_is_missing_without_pledges() -> None:
    assert progress.implementation_score({}, 0, WEIGHTS) is None


@pytest.mark.parametrize(
    ("baseline", "target", "latest", "expected"),
    [
        (D(1000), D(3000), D(2000), D("0.5")),  # higher is better, half way
        (D(60), D(40), D(45), D("0.75")),  # lower is better: target below baseline
        (D(20), D(25), D(30), D(1)),  # beyond the target: clamped to 100 %
        (D(60), D(40), D(70), D(0)),  # worse than the baseline: clamped to 0 %
        (None, D(40), D(45), None),  # missing baseline stays missing
        (D(60), D(40), None, None),  # no value yet: missing, not zero
        (D(50), D(50), D(50), None),  # no distance to travel: undefined
    ],
)
def test_indicator_progress_is_direction_aware_and_clamped(
    baseline: D | None, target: D | None, latest: D | None, expected: D | None
) -> None:
    assert progress.indicator_progress(baseline=baseline, target=target, latest=latest) == expected


def test_ratio_of_missing_or_zero_denominator_is_missing() -> None:
    assert progress.ratio(D(5), D(0)) is None
    assert progress.ratio(None, D(5)) is None
    assert progress.ratio(D(1), D(4)) == D("0.25")


def test_composite_drops_components_without_data_and_says_which_weights_it_used() -> None:
    weights = {"implementation": D("0.4"), "money": D("0.2"), "targets": D("0.2")}

    mix = progress.composite({"implementation": D("0.5"), "money": None, "targets": D(1)}, weights)

    assert mix.score == (D("0.4") * D("0.5") + D("0.2") * D(1)) / D("0.6")
    assert mix.weights_used == D("0.6")
    assert mix.components["money"] is None


def test_composite_is_missing_when_no_component_has_data() -> None:
    assert progress.composite({"money": None}, {"money": D(1)}).score is None


def test_figures_are_fixed_point_strings_and_missing_stays_none() -> None:
    assert progress.fmt(D(2) / D(3)) == "0.6667"
    assert progress.money(D("1300000")) == "1300000.00"
    assert progress.fmt(None) is None
