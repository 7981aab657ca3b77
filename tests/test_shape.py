"""One shape for every app (DESIGN.md §2, issue 13 item 10), read from the source with `ast`:

* each app keeps its core layers in files (or packages) of those names;
* selectors only read: they never import services;
* an app touches another app's rows only through that app's selectors and services: no module
  imports another app's `models` (foreign keys name the model as "app.Model"). The core
  (`governance`) is the floor every app stands on, so its models may be imported anywhere; an
  app nested in another's package (`households.care` watches the household files) is part of
  that domain and may read its parent's models, one way only: the parent never imports it;
* no import cycles between the project's modules (imports inside functions included: a
  deferred import is still an arrow).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
CORE_LAYERS = ("models", "services", "selectors", "policies", "admin", "api")
CORE_APP = "governance"


def _ours(path: str) -> bool:
    p = Path(path)
    return p.is_relative_to(ROOT) and not p.relative_to(ROOT).parts[0].startswith(".")  # not .venv


def project_apps():
    return [c for c in apps.get_app_configs() if _ours(c.path)]


def app_of(module: str) -> str | None:
    """The project app a dotted module belongs to (the longest app name that prefixes it)."""
    best = None
    for config in project_apps():
        if module == config.name or module.startswith(config.name + "."):
            if best is None or len(config.name) > len(best):
                best = config.name
    return best


def modules() -> dict[str, Path]:
    found = {}
    for config in project_apps():
        if "." in config.name:
            continue  # a nested app is walked with its parent package
        for path in Path(config.path).rglob("*.py"):
            rel = path.relative_to(ROOT).with_suffix("")
            if "migrations" in rel.parts:
                continue
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports_of(module: str, path: Path) -> set[str]:
    """Every project module this one imports, at any depth of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            out.add(base)
            out.update(f"{base}.{a.name}" for a in node.names)
    return out


@pytest.fixture(scope="module")
def graph():
    mods = modules()
    return {m: {i for i in imports_of(m, p) if i in mods} for m, p in mods.items()}


@pytest.mark.parametrize("app", [c.name for c in apps.get_app_configs() if _ours(c.path)])
def test_every_app_has_its_core_layers(app):
    base = Path(next(c.path for c in project_apps() if c.name == app))
    missing = [layer for layer in CORE_LAYERS
               if not (base / f"{layer}.py").is_file() and not (base / layer / "__init__.py").is_file()]
    assert not missing, f"{app} lacks {missing}"


def test_selectors_never_import_services(graph):
    bad = [(m, i) for m, deps in graph.items() if ".selectors" in f".{m}." or m.endswith("selectors")
           for i in deps if ".services" in f".{i}." or i.endswith("services")]
    assert not bad, bad


def test_no_app_imports_another_apps_models(graph):
    bad = []
    for m, deps in graph.items():
        mine = app_of(m)
        for i in deps:
            theirs = app_of(i)
            if theirs in (None, mine, CORE_APP) or (mine or "").startswith(f"{theirs}."):
                continue
            if i == f"{theirs}.models" or i.startswith(f"{theirs}.models."):
                bad.append((m, i))
    assert not bad, bad


def test_a_parent_app_never_imports_its_nested_app(graph):
    nested = [c.name for c in project_apps() if "." in c.name]
    bad = [(m, i) for m, deps in graph.items() for n in nested if app_of(m) == n.rpartition(".")[0]
           for i in deps if app_of(i) == n]
    assert not bad, bad


def test_no_import_cycles(graph) -> None:
    # Arrows into a package's __init__ from its own modules are how Python loads them, not a
    # dependency of ours: drop module -> its own ancestor packages.
    edges = {m: {i for i in deps if not m.startswith(i + ".")} for m, deps in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    assert not cycles, cycles
