"""No period, cap or limit of the mechanism is written in the code: they are the rules'
data (rules.at(day)), and the initial data migration is the one place they are written.

The scan reads every module of the applications (not migrations, not tests) and refuses
an integer equal to one of the Danish rules' distinctive values, and a module constant
named like a period, cap or limit. The few integers that are something else (an age's
upper bound, a text's length) are listed with what they are."""

import ast
import re
from importlib import import_module
from pathlib import Path

from tests.test_layering import PACKAGES

ROOT = Path(__file__).resolve().parents[2]
INITIAL = import_module("rules.migrations.0002_danish_rules").DANISH_RULES
RULE_NAME = re.compile(
    r"(REFLECTION|BASE_DAYS|MAX_DAYS|STALE|INACTIVE|STALLED|UNTRIAGED|WARNING_DAYS|"
    r"FOLLOW_UP|IN_KIND|CASH|GRANT|EXTENSION)"
)

# (file, value, text on its line): integers equal to a rule's value that are not a rule.
NOT_RULES = {
    ("cases/forms.py", 120, "max_value=120"),  # an age in years
    ("referrals/forms.py", 120, "120"),  # an age in years
    ("stats/importer.py", 120, "120"),  # an age in years
    ("api/serializers.py", 120, "max_value=120"),  # an age in years
    ("api/serializers.py", 10000, "max_length=10000"),  # a summary's length
    ("cmm/settings.py", 120, "CMM_SESSION_WARNING_SECONDS"),  # seconds of a warning
}


def distinctive_values() -> set[int]:
    """The Danish rules' integers of 100 and more (smaller ones, such as 30, are everywhere:
    minutes, retries, age bands; they are caught as day counts below)."""
    found: set[int] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, int) and not isinstance(node, bool) and node >= 100:
            found.add(node)

    walk(INITIAL)
    return found


def day_values() -> set[int]:
    """The Danish rules' day counts: written as timedelta(days=N) they would be a rule."""
    return {
        value
        for group in INITIAL.values()
        for name, value in group.items()
        if name.endswith("_days") and isinstance(value, int) and value > 1
    }


def findings(source: str, path: str, values: set[int]) -> list[str]:
    found = []
    lines = source.splitlines()
    days = day_values()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "timedelta":
            for keyword in node.keywords:
                value = keyword.value
                literal = isinstance(value, ast.Constant) and type(value.value) is int
                if keyword.arg == "days" and literal and value.value in days:
                    found.append(f"{path}:{node.lineno}: timedelta(days={value.value})")
        if isinstance(node, ast.Constant) and type(node.value) is int and node.value in values:
            line = lines[node.lineno - 1]
            if not any(p == path and v == node.value and t in line for p, v, t in NOT_RULES):
                found.append(f"{path}:{node.lineno}: {node.value} ({line.strip()})")
        constant = isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        if constant and type(node.value.value) is int:
            for target in node.targets:
                if isinstance(target, ast.Name) and RULE_NAME.search(target.id):
                    found.append(f"{path}:{node.lineno}: constant {target.id}")
    return sorted(found)


def modules() -> list[Path]:
    return [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def test_the_danish_rules_are_written_only_in_the_initial_data_migration():
    values = distinctive_values()
    assert {120, 9000, 10000, 20000, 40000} <= values and {7, 30, 120} <= day_values()
    found = []
    for path in modules():
        found += findings(path.read_text(), str(path.relative_to(ROOT)), values)
    assert found == [], "rule values written in the code:\n" + "\n".join(found)


def test_the_scan_finds_a_period_or_a_cap_written_in_the_code():
    values = distinctive_values()
    planted = (
        "BASE_DAYS = 30\n\ndef cap(children):\n    return 40_000 + 9_000 * children\n"
        "STALE = now - timedelta(days=30)\n"
    )
    assert findings(planted, "cases/models/support.py", values) == [
        "cases/models/support.py:1: constant BASE_DAYS",
        "cases/models/support.py:4: 40000 (return 40_000 + 9_000 * children)",
        "cases/models/support.py:4: 9000 (return 40_000 + 9_000 * children)",
        "cases/models/support.py:5: timedelta(days=30)",
    ]
    # An age's bound is allowed where it is listed, and only there.
    assert findings("x = forms.IntegerField(max_value=120)", "cases/forms.py", values) == []
    assert findings("x = forms.IntegerField(max_value=120)", "cases/views.py", values) != []


def test_the_templates_name_no_period_or_cap():
    written = re.compile(r"\b(30|120) (dage|days)\b|\b(40|20|10|9)[.,]000\b")
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for match in written.finditer(path.read_text())
    ]
    assert found == []
