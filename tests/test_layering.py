"""The one rule of imports, checked on the code itself (see pyproject's [tool.importlinter]).

`make test` runs the contract on the tree; these tests show the contract is not one that
cannot fail: each plants an import from a floor above into a copy of the tree and expects
`lint-imports` to refuse it, naming the offending import.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = [
    "cmm",
    "rules",
    "referrals",
    "cases",
    "repatriation",
    "stats",
    "retention",
    "api",
    "demo",
]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "migrations")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_the_tree_keeps_the_contract():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "planted", "upper"),
    [
        ("cmm/core/drafts.py", "from cases.models import Case", "cases.models"),
        ("cmm/audit/views.py", "import referrals.models", "referrals.models"),
        ("referrals/services.py", "from cases import services", "cases.services"),
        ("cases/selectors.py", "from repatriation.models import Return", "repatriation.models"),
        ("repatriation/views.py", "from stats import counting", "stats.counting"),
        ("stats/views.py", "from retention import services", "retention.services"),
        ("stats/exports.py", "from api import views", "api.views"),
        ("api/views.py", "from demo import apps", "demo.apps"),
        ("retention/services.py", "from cmm import urls", "cmm.urls"),
    ],
)
def test_an_import_from_a_higher_floor_breaks_the_contract(tree, module, planted, upper):
    path = tree / module
    # Inside a function, where an upward import is easiest to slip in unnoticed.
    path.write_text(path.read_text() + f"\n\ndef _planted():\n    {planted}\n")

    result = _lint_imports(tree)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert upper in result.stdout
