"""Layering rules that code review alone would let slip."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    """Top-level names of every module a file imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_services_and_storage_never_import_telegram():
    files = [*ROOT.joinpath("bot", "services").rglob("*.py"), *ROOT.joinpath("storage").rglob("*.py")]
    assert len(files) > 5
    offenders = [
        str(path.relative_to(ROOT)) for path in files if {"telegram", "handlers"} & imported_modules(path)
    ]
    assert offenders == []


def test_storage_does_not_depend_on_services():
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.joinpath("storage").rglob("*.py")
        if "bot" in imported_modules(path)
    ]
    assert offenders == []
