"""The fuzz suite in CI: every target for a short time with a fixed seed, and the runner's
own promises (a failing case is saved, replayed and fails again). Longer runs:
`python -m tests.fuzz --minutes N` (see tests/fuzz/__init__.py)."""

from __future__ import annotations

import json

import pytest

import tl

from . import __main__ as cli
from . import runner, targets
from .target import Target

SEED = 20240612
SECONDS_PER_TARGET = 1.5
#: Two schemas for the TL target's valid objects (each costs ~0.3 s to parse); every
#: shipped layer still decodes them.
TL_LAYERS = (tl.LAYER, tl.SHIPPED_LAYERS[0])
TARGETS = targets(TL_LAYERS)


@pytest.mark.parametrize("name", list(TARGETS))
def test_target_keeps_its_invariants_for_a_fixed_seed(name):
    stats = runner.run([TARGETS[name]], SECONDS_PER_TARGET, SEED, max_failures=1)[name]
    assert not stats.failures, stats.failures[0].error + "case: " + stats.failures[0].case.hex()[:400]
    assert stats.cases >= 20, f"only {stats.cases} cases ran"


def broken_target() -> Target:
    def check(case: bytes) -> None:
        if case[0] == 7:
            raise KeyError("a foreign exception")
        assert case[0] != 9, "an invariant"

    return Target("broken", "fails on purpose", lambda rng: bytes([rng.randrange(16)]), check)


def test_failing_cases_are_saved_with_their_seed_and_replay(tmp_path):
    target = broken_target()
    stats = runner.run([target], 5, SEED, max_failures=2)["broken"]
    assert len(stats.failures) == 2
    for failure in stats.failures:
        saved = json.loads(failure.save(tmp_path).read_text())
        assert saved["target"] == "broken" and bytes.fromhex(saved["case"]) == failure.case
        assert runner.run_case(target, saved["seed"]).case == failure.case  # the seed regenerates it
        again = runner.replay(target, saved)
        assert again is not None and again.error.splitlines()[-1] == failure.error.splitlines()[-1]


def test_a_hanging_case_fails_instead_of_stalling(monkeypatch):
    monkeypatch.setattr(runner, "CASE_TIMEOUT", 0.2)

    def check(case):
        while True:
            pass

    failure = runner.run_case(Target("hang", "", lambda rng: b"x", check), 1)
    assert failure is not None and "Hang" in failure.error


def test_command_line_replays_a_saved_case(tmp_path, capsys):
    name = "transport"
    case = TARGETS[name].generate(__import__("random").Random(1))
    path = runner.Failure(name, 1, case, "").save(tmp_path)
    assert cli.main(["--replay", str(path)]) == 0
    assert "passes now" in capsys.readouterr().out


def test_command_line_reports_a_failure_and_exits_1(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "targets", lambda: {"broken": broken_target()})
    assert cli.main(["--minutes", "0.02", "--seed", "1", "--out", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    [saved] = tmp_path.glob("broken-*.json")
    assert f"-> {saved}" in out and "case: " in out
    assert cli.main(["--replay", str(saved)]) == 1
