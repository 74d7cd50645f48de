"""Which top-level folders may import which.

Read from the source, every import statement including those inside functions, so an import
hidden in a function breaks a rule as surely as one at the top of a module.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imports_of(folder):
    """``(file, module)`` for every absolute import in the Python files under ``folder``."""
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                found += [(str(path.relative_to(ROOT)), alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found.append((str(path.relative_to(ROOT)), node.module))
    return found


def from_package(imports, package):
    return [(file, module) for file, module in imports if module == package or module.startswith(package + ".")]


def test_security_imports_nothing_from_the_library():
    # Identity (keys, profiles) and the rules about callers sit below the library, which uses them.
    assert from_package(imports_of("security"), "library") == []
