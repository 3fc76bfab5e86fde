"""The package's floor plan, read from its imports (ast): every arrow points down.

Layers, bottom to top: the core (the modules at the top level of ``binary_gumbel``:
NumPy and the standard library only), ``verification``, ``estimators``, ``book``, and the
two commands ``verify`` and ``bench`` (a package). A module imports only from its own
layer or below; there is no import circle; and no private name (a leading underscore)
crosses a module boundary, except from the private modules made for that: ``_validation``
and ``_kernels`` for the whole package, and a private module of a folder for that folder.
Tests may reach a private name only in the module that defines it.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "code" / "binary_gumbel"
LAYERS = {"verification": 1, "estimators": 2, "book": 3}
COMMANDS = {"binary_gumbel.verify", "binary_gumbel.bench"}
SHARED = {"binary_gumbel._validation", "binary_gumbel._kernels"}
CORE_MAY_IMPORT = {"numpy", "__future__"}


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "__pycache__" not in p.parts}


def layer(module: str) -> int:
    if any(module == c or module.startswith(c + ".") for c in COMMANDS):
        return 4
    parts = module.split(".")
    return LAYERS.get(parts[1], 0) if len(parts) > 1 else 0


def _package_of(module: str) -> str:
    path = MODULES[module]
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _imports(module: str, path: Path):
    """``(target module, imported name or None, line)`` for every import in ``path``."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(_package_of(module).split(".")[: 1 - node.level or None] + [base])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                if full in MODULES:
                    yield full, None, node.lineno
                else:
                    yield base, alias.name, node.lineno


def _internal(target: str) -> str | None:
    return target if target in MODULES else None


EDGES = {
    m: [(t, n, line) for t, n, line in _imports(m, p) if _internal(t)] for m, p in MODULES.items()
}


def _private_allowed(source: str, target: str) -> bool:
    if target in SHARED:
        return True
    last = target.rpartition(".")[2]
    return last.startswith("_") and _package_of(source) == target.rpartition(".")[0]


#: The most lines a module may have: each has one job and stays short.
MOST_LINES = 400


def test_every_module_stays_short():
    """Modules had grown back past 400 lines (verification/montecarlo.py to 717) after the split."""
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text().splitlines())) > MOST_LINES}
    assert not long, f"split by job the modules over {MOST_LINES} lines: {long}"


def test_the_modules_are_found():
    assert {"binary_gumbel", "binary_gumbel.noise", "binary_gumbel.verify"} <= set(MODULES)
    assert {layer(m) for m in MODULES} == {0, 1, 2, 3, 4}


def test_every_import_points_down_the_layers():
    upward = [
        f"{m} (layer {layer(m)}) imports {t} (layer {layer(t)}) at line {line}"
        for m, edges in EDGES.items()
        for t, _, line in edges
        if layer(t) > layer(m)
    ]
    assert upward == []


def test_the_core_needs_numpy_alone():
    core = [m for m in MODULES if layer(m) == 0]
    outside = [
        f"{m} imports {t} at line {line}"
        for m in core
        for t, _, line in _imports(m, MODULES[m])
        if not t.startswith("binary_gumbel")
        and t.split(".")[0] not in CORE_MAY_IMPORT | set(sys.stdlib_module_names)
    ]
    assert outside == []
    assert all(layer(t) == 0 for m in core for t, _, _ in EDGES[m])


def _cycles() -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module (or a self-import)."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w, _, _ in EDGES[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1 or any(t == v for t, _, _ in EDGES[v]):
                found.append(sorted(part))

    for v in MODULES:
        if v not in index:
            visit(v)
    return found


def test_no_import_circle():
    assert _cycles() == []


def test_the_cycle_finder_finds_a_circle(monkeypatch):
    monkeypatch.setitem(EDGES, "binary_gumbel.noise", [("binary_gumbel.relaxed", None, 1)])
    assert ["binary_gumbel.noise", "binary_gumbel.relaxed"] in _cycles()


#: The name :func:`_private_uses` gives a private module imported whole.
MODULE = "<module>"


def _module_aliases(tree: ast.AST, source: str) -> dict[str, str]:
    """Local names bound to a module of the package, by ``import`` or ``from ... import``."""
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name in MODULES:
                    aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                full = f"{node.module}.{a.name}"
                if full in MODULES:
                    aliases[a.asname or a.name] = full
    return aliases


def _private_uses(path: Path, source: str | None):
    """Private names of package modules used in ``path``: imported by name or as attributes."""
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in MODULES:
            for a in node.names:
                full = f"{node.module}.{a.name}"
                if full in MODULES and a.name.startswith("_"):
                    yield full, MODULE, node.lineno  # a private module, imported whole
                elif a.name.startswith("_"):
                    yield node.module, a.name, node.lineno
    aliases = _module_aliases(tree, source)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            yield aliases[node.value.id], node.attr, node.lineno


def _defines(module: str, name: str) -> bool:
    """Whether ``module`` defines ``name`` itself (a def, class or assignment), not imports it."""
    tree = ast.parse(MODULES[module].read_text())
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name == name:
            return True
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return True
    return False


def test_no_private_name_crosses_a_module_boundary_in_the_library():
    crossing = [
        f"{m} uses {t}.{name} at line {line}"
        for m, p in MODULES.items()
        for t, name, line in _private_uses(p, m)
        if t != m and not _private_allowed(m, t)
    ]
    assert crossing == []


def test_the_shared_private_modules_may_be_imported_and_no_other():
    assert _private_allowed("binary_gumbel.book.prose", "binary_gumbel._kernels")
    assert _private_allowed("binary_gumbel.noise", "binary_gumbel._validation")
    assert not _private_allowed("binary_gumbel.relaxed", "binary_gumbel.noise")
    assert not _private_allowed("binary_gumbel.book.prose", "binary_gumbel.estimators._toy")
    assert _private_allowed("binary_gumbel.estimators.relax", "binary_gumbel.estimators._toy")
    # a private module of a package is shared with that package's modules, and only with them
    shared = "binary_gumbel.verification.montecarlo._samples"
    assert _private_allowed("binary_gumbel.verification.montecarlo.intervals", shared)
    assert not _private_allowed("binary_gumbel.verification.derivation", shared)
    crossing = [
        f"{m} uses {t}.{name} at line {line}"
        for m, p in MODULES.items()
        for t, name, line in _private_uses(p, m)
        if name == MODULE and not _private_allowed(m, t)
    ]
    assert crossing == []


@pytest.mark.parametrize("path", sorted((ROOT / "tests").glob("*.py")), ids=lambda p: p.name)
def test_tests_reach_a_private_name_only_in_the_module_that_defines_it(path):
    borrowed = [
        f"{t}.{name} at line {line}"
        for t, name, line in _private_uses(path, None)
        if name != MODULE and not _defines(t, name)
    ]
    assert borrowed == []


def test_a_private_name_borrowed_across_modules_is_caught(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("from binary_gumbel.noise import _hidden\nfrom binary_gumbel import noise\n")
    assert [(t, n) for t, n, _ in _private_uses(probe, None)] == [
        ("binary_gumbel.noise", "_hidden")
    ]
    assert not _defines("binary_gumbel.noise", "_hidden")
