"""`manage.py recompute_progress`: in this process, with a bar on a terminal and a line per
objective otherwise, limited by --compact/--objective, recorded like the worker's runs."""

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from compacts.models import Objective
from indicators.models import RecomputeRun, RunKind, RunStatus

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    """Output that says it is a terminal, as a shell's stdout would."""

    def isatty(self) -> bool:
        return True


def run(*args: str, stdout: io.StringIO | None = None, **options: Any) -> str:
    out = stdout if stdout is not None else io.StringIO()
    call_command("recompute_progress", *args, stdout=out, **options)
    return out.getvalue()


def test_without_a_terminal_it_prints_a_line_per_objective_and_a_summary(
    reference_data: None,
) -> None:
    total = Objective.objects.count()

    output = run()

    lines = output.strip().splitlines()
    assert len(lines) == total + 1
    assert lines[0].startswith(f"1/{total} GCM 1.")
    assert "snapshot row" in lines[0]
    assert lines[-1].startswith(f"Recomputed {total} objectives and 2 compact totals: ")
    assert " snapshot rows written in " in lines[-1]
    run_row = RecomputeRun.objects.get()
    assert (run_row.kind, run_row.status, run_row.objectives_done) == (
        RunKind.FULL,
        RunStatus.SUCCEEDED,
        total,
    )
    assert run_row.triggered_by == "manage.py recompute_progress"


def test_on_a_terminal_it_draws_a_progress_bar(reference_data: None) -> None:
    output = run("--compact", "GCR", stdout=Terminal())

    assert "\r[" + "#" * 30 + "] 4/4 objectives" in output
    assert "\r[" + "#" * 7 + "." * 23 + "] 1/4 objectives" in output
    assert "GCR 1." not in output, "no per-objective lines under the bar"
    assert "Recomputed 4 objectives and 1 compact total" in output


def test_verbosity_2_prints_lines_even_on_a_terminal(reference_data: None) -> None:
    output = run("--compact", "GCR", stdout=Terminal(), verbosity=2)

    assert "\r[" not in output
    assert "4/4 GCR 4." in output


def test_verbosity_0_prints_nothing(reference_data: None) -> None:
    assert run("--compact", "GCR", verbosity=0) == ""
    assert RecomputeRun.objects.get().status == RunStatus.SUCCEEDED


def test_one_objective_of_a_compact(reference_data: None) -> None:
    output = run("--compact", "gcr", "--objective", "2")

    assert output.splitlines()[0].startswith("1/1 GCR 2.")
    assert "Recomputed 1 objective and 1 compact total:" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--objective", "2"], "--objective needs --compact"),
        (["--compact", "XYZ"], "No compact with code XYZ. Known compacts: GCM, GCR."),
        (
            ["--compact", "GCR", "--objective", "9"],
            "GCR has no objective 9; its objectives are 1–4.",
        ),
        (["--compact", "GCR", "--objective", "0"], "must be at least 1"),
    ],
)
def test_bad_arguments_are_refused_before_anything_runs(
    reference_data: None, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)

    assert not RecomputeRun.objects.exists()


def test_an_unreachable_redis_is_reported_and_recorded(reference_data: None, settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:9/0"

    with pytest.raises(CommandError, match="could not be reached"):
        run("--compact", "GCR")

    assert RecomputeRun.objects.get().status == RunStatus.FAILED
