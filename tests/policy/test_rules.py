"""Every transfer rule proves itself on its own examples: one generic test, one row per example."""

from __future__ import annotations

import ast
import pathlib

import pytest

from dlp.policy.transfer import ADVISE, ALLOW, BLOCK, WARN, RuleReason, TransferRule, decide, rules


def _cases() -> list[pytest.param]:
    return [pytest.param(rule, example, id=f"{rule.name}: {example.title}")
            for rule in rules() for example in rule.EXAMPLES]


@pytest.mark.parametrize(("rule", "example"), _cases())
def test_rule_gets_its_own_example_right(rule: TransferRule, example) -> None:
    got = rule.evaluate(example.context)
    assert [(r.action, r.recipients) for r in got] == [(e.action, e.recipients) for e in example.expect]
    for reason, expected in zip(got, example.expect, strict=True):
        assert reason.rule == rule.name
        assert expected.says in reason.message, reason.message


@pytest.mark.parametrize("rule", rules(), ids=lambda r: r.name)
def test_every_rule_declares_examples_both_ways(rule: TransferRule) -> None:
    assert any(e.expect for e in rule.EXAMPLES), "an example where the rule objects"
    assert any(not e.expect for e in rule.EXAMPLES), "an example where it stays silent"
    assert type(rule).__doc__ and rule.name == rule.name.lower() and " " not in rule.name


def test_rules_are_discovered_one_per_module_in_order() -> None:
    modules = sorted(p.stem for p in pathlib.Path(__file__).parents[2].joinpath("dlp/policy/rules").glob("*.py")
                     if not p.stem.startswith("_"))
    found = rules()
    assert sorted(type(r).__module__.rsplit(".", 1)[1] for r in found) == modules
    assert [r.order for r in found] == sorted(r.order for r in found)


@pytest.mark.parametrize(("actions", "verdict", "kept"), [
    ((), ALLOW, ()),
    ((ADVISE,), WARN, (ADVISE,)),
    ((WARN, ADVISE), WARN, (WARN,)),
    ((WARN, BLOCK, ADVISE), BLOCK, (BLOCK, WARN)),
])
def test_decide(actions: tuple[str, ...], verdict: str, kept: tuple[str, ...]) -> None:
    got, reasons = decide([RuleReason("r", a, "m") for a in actions])
    assert got == verdict and tuple(r.action for r in reasons) == kept


def test_detect_imports_only_the_labels_of_the_policy_layer() -> None:
    detect = pathlib.Path(__file__).parents[2] / "dlp" / "detect"
    imported = set()
    for path in detect.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dlp.policy"):
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported |= {a.name for a in node.names if a.name.startswith("dlp.policy")}
    assert imported <= {"dlp.policy.labels"}
