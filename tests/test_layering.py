"""The layers of DESIGN.md hold: ``rag`` ← ``ingest`` ← ``ui``/``api`` ← ``evals``/``sanad``.

A module may import its own package and any lower layer, never a higher one. Imports under
``if TYPE_CHECKING:`` are allowed upward: they are erased at run time, so they create neither a
dependency nor an import cycle (``ui``/``api`` name :class:`sanad.app.Sanad` in type hints only).
Imports inside functions count: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

LAYERS = {"rag": 0, "ingest": 1, "ui": 2, "api": 2, "evals": 3, "sanad": 3}
"""Layer of each top-level package, lowest first (DESIGN.md, "Layout")."""

ALLOWED_SAME_LAYER = {("evals", "api"), ("api", "ui"), ("sanad", "evals"), ("evals", "sanad")}
"""Sideways imports between packages of one layer that the design allows.

``api`` serves the chat UI at ``/``; ``sanad.cli`` runs ``evals``; ``evals`` builds its stores
with the composition root ``sanad.app``.
"""


def _type_checking_lines(tree: ast.AST) -> set[int]:
    """Line numbers of every statement inside an ``if TYPE_CHECKING:`` block."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", getattr(node.test, "attr", "")) == (
            "TYPE_CHECKING"
        ):
            for child in node.body:
                for sub in ast.walk(child):
                    if hasattr(sub, "lineno"):
                        lines.add(sub.lineno)
    return lines


def imported_packages(source: str) -> list[tuple[int, str]]:
    """``(line, top-level package)`` of every import in ``source`` outside ``TYPE_CHECKING`` blocks.

    Relative imports are reported as ``"."`` (they stay inside their own package).
    """
    tree = ast.parse(source)
    skip = _type_checking_lines(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name.split(".")[0]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, "." if node.level else (node.module or "").split(".")[0]))
    return found


def violations(root: Path) -> list[str]:
    """Every upward (or unlisted sideways) import under ``root``'s layered packages, as ``path:line``."""
    problems = []
    for package, layer in LAYERS.items():
        for path in sorted((root / package).rglob("*.py")):
            for line, target in imported_packages(path.read_text(encoding="utf-8")):
                if target not in LAYERS or target == package:
                    continue
                upward = LAYERS[target] > layer
                sideways = LAYERS[target] == layer and (package, target) not in ALLOWED_SAME_LAYER
                if upward or sideways:
                    problems.append(f"{path.relative_to(root)}:{line} imports {target}")
    return problems


def test_no_layer_imports_a_higher_one() -> None:
    assert violations(ROOT) == []


@pytest.mark.parametrize(
    ("package", "planted"),
    [
        ("rag", "from sanad.app import Sanad"),
        ("rag", "def f():\n    import ingest.pipeline\n"),
        ("ingest", "from ui import render"),
        ("ui", "from evals.metrics import mrr"),
        ("api", "from sanad.cli import app"),
    ],
)
def test_a_planted_violation_is_found(tmp_path: Path, package: str, planted: str) -> None:
    for name in LAYERS:
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
    (tmp_path / package / "planted.py").write_text(planted + "\n")
    found = violations(tmp_path)
    assert len(found) == 1
    assert found[0].startswith(f"{package}/planted.py:")


def test_type_checking_imports_are_allowed(tmp_path: Path) -> None:
    for name in LAYERS:
        (tmp_path / name).mkdir()
    (tmp_path / "ui" / "typed.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sanad.app import Sanad\n"
    )
    assert violations(tmp_path) == []
