"""Which top-level folders may import which: engine/ under every app, security/ under the
library and the hub.

``engine/`` is the base every app builds on (settings, errors, start-up and health registries); it
names the apps only by dotted path in settings and the root URL conf, never by importing them.
``security/`` holds identity (keys, profiles) and decides who is calling for HTTP and the hub
alike, so it depends on neither. Services refuse with the engine's domain error and never import
DRF to do it. Every import statement counts, also one inside a function, which is how cycles
used to hide.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("security", "library", "intercom")


def imported_modules(path):
    """Every module ``path`` imports, as absolute dotted names."""
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module
            yield module
            for alias in node.names:
                yield f"{module}.{alias.name}"


def imports_of(folder):
    """``(file, module)`` for every import in the Python files below ``folder``."""
    for path in sorted((ROOT / folder).rglob("*.py")):
        for module in imported_modules(path):
            yield path.relative_to(ROOT).as_posix(), module


def offending(folder, forbidden):
    return sorted(
        {(file, module) for file, module in imports_of(folder) if module.split(".")[0] in forbidden}
    )


def test_the_parser_sees_imports_inside_functions():
    sample = ROOT / "engine" / "errors.py"
    assert "rest_framework.views" in set(imported_modules(sample))


def test_engine_imports_no_app():
    assert offending("engine", APPS) == []


def test_security_imports_nothing_from_the_hub():
    assert offending("security", {"intercom"}) == []


def test_security_imports_nothing_from_the_library():
    # Identity (keys, profiles) and the rules about callers sit below the library, which uses them.
    assert offending("security", {"library"}) == []


@pytest.mark.parametrize("pattern", ["services.py", "selectors.py"])
def test_services_and_selectors_import_no_drf(pattern):
    found = sorted(
        (path.relative_to(ROOT).as_posix(), module)
        for folder in ("engine", *APPS)
        for path in (ROOT / folder).rglob(pattern)
        for module in imported_modules(path)
        if module.split(".")[0] == "rest_framework"
    )
    assert found == []


def _source_of(module):
    """The file of a module of this repository, or None for any other module."""
    path = ROOT.joinpath(*module.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _closure(module):
    """Every module ``module`` imports, transitively through this repository's modules (with the
    packages above each, which importing it runs)."""
    seen, pending = set(), [module]
    while pending:
        name = pending.pop()
        parts = name.split(".")
        for depth in range(1, len(parts) + 1):
            prefix = ".".join(parts[:depth])
            if prefix not in seen:
                seen.add(prefix)
                source = _source_of(prefix)
                if source is not None:
                    pending.extend(imported_modules(source))
    return seen


def test_reader_processes_run_no_django():
    # A scan's reader processes run the parsers over untrusted files (library/ingestion/reader.py
    # and what it imports): plain functions of an open file, with no database to reach and no
    # framework to start, whatever a parser module adds.
    reached = _closure("library.ingestion.reader")
    assert "library.ingestion.tags" in reached and "library.ingestion.hashing" in reached
    assert sorted(name for name in reached if name.split(".")[0] in ("django", "rest_framework", "channels", "engine", "security", "intercom")) == []
    assert sorted(name for name in reached if name.startswith(("library.models", "library.metadata"))) == []
