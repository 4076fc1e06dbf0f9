"""The package's shape: no import cycles (module or package level, imports inside functions included),
drawing a leaf that no core package imports, and every package shipped by pyproject."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import networkx as nx

from conftest import REPO

CORE = ("hamc.ir", "hamc.build", "hamc.network", "hamc.analysis", "hamc.verification")


def _modules() -> dict[str, tuple[Path, bool]]:
    modules = {}
    for path in sorted((REPO / "hamc").rglob("*.py")):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        modules[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return modules


def _imported(name: str, path: Path, is_package: bool, modules) -> set[str]:
    """The hamc modules `name` imports anywhere in its body; `from . import x` counts as hamc.x."""
    package = name.split(".") if is_package else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        else:
            continue
        for target in targets:
            while target not in modules and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in modules and target != name:
                found.add(target)
    return found


def import_graph() -> nx.DiGraph:
    modules = _modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, (path, is_package) in modules.items():
        graph.add_edges_from((name, target) for target in _imported(name, path, is_package, modules))
    return graph


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_the_graph_reader_sees_relative_function_level_and_package_imports():
    graph = import_graph()
    assert graph.has_edge("hamc.build.ranges", "hamc.build.series_scales")  # `from . import series_scales` in a function
    assert graph.has_edge("hamc.io.npz", "hamc.network.model")              # `from ..network.model import` in one
    assert graph.has_edge("hamc.draw", "hamc.draw.notebook")                # a package's __init__
    assert graph.has_edge("hamc.build.tree", "hamc.build.error_bound")      # `from . import error_bound as eb`
    assert len(graph) == len(list((REPO / "hamc").rglob("*.py")))


def test_no_import_cycles_between_modules():
    assert list(nx.simple_cycles(import_graph())) == []


def test_no_import_cycles_between_packages():
    packages = nx.DiGraph()
    for a, b in import_graph().edges:
        if a != "hamc" and _package(a) != _package(b):                       # hamc/__init__ is the public API
            packages.add_edge(_package(a), _package(b))
    assert list(nx.simple_cycles(packages)) == []


def test_core_packages_never_import_drawing():
    graph = import_graph()
    edges = [(a, b) for a, b in graph.edges if a.startswith(CORE) and b.startswith("hamc.draw")]
    assert edges == []
    reachable = nx.descendants(graph, "hamc.pipeline") | nx.descendants(graph, "hamc.build.assemble")
    assert not any(m.startswith("hamc.draw") for m in reachable)
    assert "hamc.verification" not in nx.descendants(graph, "hamc.build.assemble")


def test_pyproject_ships_every_package():
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    listed = set(re.findall(r'"(hamc[\w.]*)"', re.search(r"packages = \[([^\]]*)\]", pyproject).group(1)))
    on_disk = {name for name, (_, is_package) in _modules().items() if is_package}
    assert listed == on_disk | {"hamc.grammar"}



MAX_MODULE_LINES, MAX_FUNCTION_LINES = 300, 50
# Over the limits: none today, and nothing may join them.
LONG_MODULES: dict[str, int] = {}
LONG_FUNCTIONS: dict[str, int] = {}


def function_lengths(path: Path, root: Path = REPO) -> dict[str, int]:
    """Lines of every function and method (nested ones too) without its docstring: documentation
    such as hamc.compile's list of keywords is not code to split."""
    lengths = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = node.body[0] if ast.get_docstring(node, clean=False) is not None else None
            name = f"{path.relative_to(root).as_posix()}:{node.name}"
            length = node.end_lineno - node.lineno + 1 - (doc.end_lineno - doc.lineno + 1 if doc else 0)
            lengths[name] = max(lengths.get(name, 0), length)
    return lengths


def test_the_function_measure_counts_lines_without_the_docstring(tmp_path):
    (tmp_path / "m.py").write_text('def f(x):\n    """one\n    two"""\n    y = x\n    return y\n\n\n'
                                   '@staticmethod\nasync def g():\n    pass\n', encoding="utf-8")
    assert function_lengths(tmp_path / "m.py", tmp_path) == {"m.py:f": 3, "m.py:g": 2}


def test_modules_stay_under_300_lines():
    lengths = {path.relative_to(REPO).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
               for path in sorted((REPO / "hamc").rglob("*.py"))}
    over = {name: n for name, n in lengths.items() if n > MAX_MODULE_LINES}
    assert set(over) <= set(LONG_MODULES), "split these modules"
    assert all(over[name] <= LONG_MODULES[name] for name in over), over


def test_functions_stay_under_50_lines():
    lengths = {}
    for path in sorted((REPO / "hamc").rglob("*.py")):
        lengths.update(function_lengths(path))
    over = {name: n for name, n in lengths.items() if n > MAX_FUNCTION_LINES}
    assert set(over) <= set(LONG_FUNCTIONS), "split these functions"
    assert all(over[name] <= LONG_FUNCTIONS[name] for name in over), over
